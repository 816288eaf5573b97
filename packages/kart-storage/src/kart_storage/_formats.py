"""How a processor wants the raw byte stream wrapped: raw bytes, text in an encoding, or gzip.

The objects expose luigi's duck-typed `pipe_reader` / `pipe_writer`, so a processor's `format()` still
works with `luigi.LocalTarget(path, format=processor.format())`, while kart's own targets use the
`reader` / `writer` context managers, which never close the backend's stream (the backend commits it).
"""

from __future__ import annotations

import gzip
import io
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, BinaryIO, cast


class StreamFormat:
    """Raw binary: the processor sees the backend's stream itself."""

    name = "binary"

    @contextmanager
    def reader(self, raw: BinaryIO) -> Iterator[IO[Any]]:
        """The stream `load` reads, made from the backend's raw binary stream."""
        yield raw

    @contextmanager
    def writer(self, raw: BinaryIO) -> Iterator[IO[Any]]:
        """The stream `dump` writes, over the backend's raw binary stream."""
        yield raw

    def pipe_reader(self, input_pipe: Any) -> Any:
        """gokart's pipe-reader hook: the stream unchanged for binary formats."""
        return input_pipe

    def pipe_writer(self, output_pipe: Any) -> Any:
        """gokart's pipe-writer hook: the stream unchanged for binary formats."""
        return output_pipe

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class TextStreamFormat(StreamFormat):
    """Text in a fixed encoding, universal newlines (`\\n` written as os.linesep, as luigi's text format)."""

    name = "text"

    def __init__(self, encoding: str = "utf-8") -> None:
        self.encoding = encoding

    @contextmanager
    def reader(self, raw: BinaryIO) -> Iterator[IO[Any]]:
        text = io.TextIOWrapper(raw, encoding=self.encoding, newline=None)
        try:
            yield text
        finally:
            text.detach()

    @contextmanager
    def writer(self, raw: BinaryIO) -> Iterator[IO[Any]]:
        text = io.TextIOWrapper(raw, encoding=self.encoding, newline=None)
        try:
            yield text
            text.flush()
        finally:
            text.detach()

    def pipe_reader(self, input_pipe: Any) -> Any:
        return io.TextIOWrapper(input_pipe, encoding=self.encoding, newline=None)

    def pipe_writer(self, output_pipe: Any) -> Any:
        return io.TextIOWrapper(output_pipe, encoding=self.encoding, newline=None)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(encoding={self.encoding!r})"


class _GzipWriter(io.RawIOBase):
    """Writes the same gzip framing as the `gzip` command (mtime 0, no name, XFL 0, OS Unix) in-process."""

    _HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"

    def __init__(self, raw: IO[bytes], *, close_raw: bool) -> None:
        super().__init__()
        self._raw = raw
        self._close_raw = close_raw
        self._compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        self._crc = 0
        self._size = 0
        raw.write(self._HEADER)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._crc = zlib.crc32(view, self._crc)
        self._size += len(view)
        self._raw.write(self._compressor.compress(view))
        return len(view)

    def close(self) -> None:
        if self.closed:
            return
        self._raw.write(self._compressor.flush())
        self._raw.write(struct.pack("<II", self._crc, self._size & 0xFFFFFFFF))
        self._raw.flush()
        if self._close_raw:
            self._raw.close()
        super().close()


class GzipStreamFormat(StreamFormat):
    """Standard gzip bytes, compressed and decompressed in-process (upstream piped through `gzip`)."""

    name = "gzip"

    @contextmanager
    def reader(self, raw: BinaryIO) -> Iterator[IO[Any]]:
        with gzip.GzipFile(fileobj=raw, mode="rb") as decompressed:
            yield cast(IO[Any], decompressed)

    @contextmanager
    def writer(self, raw: BinaryIO) -> Iterator[IO[Any]]:
        compressed = _GzipWriter(raw, close_raw=False)
        try:
            yield cast(IO[Any], compressed)
        finally:
            compressed.close()

    def pipe_reader(self, input_pipe: Any) -> Any:
        return gzip.GzipFile(fileobj=input_pipe, mode="rb")

    def pipe_writer(self, output_pipe: Any) -> Any:
        return _GzipWriter(output_pipe, close_raw=True)


NOP = StreamFormat()
GZIP = GzipStreamFormat()


def Text(encoding: str = "utf-8") -> TextStreamFormat:
    """A text stream format in `encoding`: what text processors such as `.txt` and `.csv` use."""
    return TextStreamFormat(encoding)
