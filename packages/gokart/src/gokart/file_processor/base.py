"""gokart.file_processor.base: the processor protocol and the format-independent processors."""

from typing import Any

from gokart.utils import load_dill_with_pandas_backward_compatibility  # noqa: F401 - a name gokart has here
from kart_storage import (
    BinaryFileProcessor,
    FileProcessor,
    GzipFileProcessor,
    NpzFileProcessor,
    PickleFileProcessor,
    TextFileProcessor,
    XmlFileProcessor,
)


class _ChunkedLargeFileReader:
    """Reads a file in pieces below 2 GiB: some platforms fail on a single larger read."""

    _CHUNK = 2**30

    def __init__(self, file: Any) -> None:
        self._file = file

    def read(self, n: int) -> bytes:
        if n < 0:
            pieces = []
            while piece := self._file.read(self._CHUNK):
                pieces.append(piece)
            return b"".join(pieces)
        buffer = bytearray()
        while len(buffer) < n:
            piece = self._file.read(min(n - len(buffer), self._CHUNK))
            if not piece:
                break
            buffer += piece
        return bytes(buffer)

    def readline(self) -> bytes:
        return self._file.readline()  # type: ignore[no-any-return]

    def seek(self, offset: int) -> None:
        self._file.seek(offset)

    def seekable(self) -> bool:
        return self._file.seekable()  # type: ignore[no-any-return]


__all__ = [
    "BinaryFileProcessor",
    "FileProcessor",
    "GzipFileProcessor",
    "NpzFileProcessor",
    "PickleFileProcessor",
    "TextFileProcessor",
    "XmlFileProcessor",
]
