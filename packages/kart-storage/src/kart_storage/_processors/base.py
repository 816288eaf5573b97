"""The FileProcessor interface and the processors that need nothing beyond numpy and pandas."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import IO, Any, BinaryIO

import numpy as np
import pandas as pd

from kart_storage import _pickle
from kart_storage._formats import GZIP, NOP, StreamFormat, Text

from ._tail_checks import GZIP_RULE


class FileProcessor:
    """Turns one object into the content of one file and back.

    `format()` says how the raw stream is wrapped before `dump`/`load` see it. `check(obj)` raises
    TypeError for objects the format cannot hold; targets call it before opening the write stream, so a
    wrong object never writes anything. Processors are shared and must not keep per-call state.
    """

    #: what `check` accepts, for error messages
    expected_types: str = "any object"
    #: whether `load` can execute code (unpickling): such files are signed when a signing key is set
    unpickles: bool = False

    def format(self) -> StreamFormat:
        """How the raw stream is wrapped for `load`/`dump` (binary, text, gzip); binary by default."""
        return NOP

    def check(self, obj: object) -> None:
        """Raise TypeError when `obj` cannot be written in this format."""

    def load(self, file: IO[Any]) -> Any:
        """Read one object from `file`, wrapped as `format()` says."""
        raise NotImplementedError

    def dump(self, obj: Any, file: IO[Any]) -> None:
        """Write `obj` to `file` (already checked with `check`)."""
        raise NotImplementedError

    def _load_raw(self, raw: BinaryIO) -> Any:
        """`load` of the stored bytes wrapped as `format()` says; what targets call. A processor that can
        read the bytes faster than through that wrapper overrides it, loading exactly what `load` would."""
        with self.format().reader(raw) as stream:
            return self.load(stream)

    def _stored_damage(self, raw: BinaryIO) -> str | None:
        """Why the stored bytes cannot be a file this processor's `dump` wrote, seen cheaply and without
        a seal (a zero-byte csv, a csv cut mid-row: `_tail_checks`), or None. Targets ask before they
        decode, and raise CorruptTargetError naming the path. `raw` is left where it was."""
        return None

    def _replaced(self, owner: type[FileProcessor], *names: str) -> bool:
        """Whether a subclass replaced any of `owner`'s methods `names`: a fast `_load_raw` then steps
        aside, so the subclass's own `load` / `format` still decide what is loaded."""
        cls = type(self)
        return any(getattr(cls, name) is not getattr(owner, name) for name in names)

    @property
    def format_name(self) -> str:
        """The name error messages give this processor."""
        return type(self).__name__

    def _reject(self, obj: object) -> TypeError:
        return TypeError(f"requires {self.expected_types}, but {type(obj)} is passed.")


class BinaryFileProcessor(FileProcessor):
    """Raw bytes (`.png`, `.jpg`): written as given, loaded as `bytes`."""

    expected_types = "bytes-like (bytes, bytearray, memoryview)"

    def check(self, obj: object) -> None:
        if not isinstance(obj, bytes | bytearray | memoryview):
            raise self._reject(obj)

    def load(self, file: IO[Any]) -> bytes:
        return bytes(file.read())

    def dump(self, obj: Any, file: IO[Any]) -> None:
        self.check(obj)
        file.write(obj)


class _ChunkedLargeFileReader:
    """Reads of 2 GiB or more done in slices, which some platforms need for huge pickles."""

    _CHUNK = 2**31 - 1

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file

    def read(self, n: int = -1) -> bytes:
        if n < self._CHUNK:
            return self._file.read(n)
        buffer = bytearray()
        while len(buffer) < n:
            piece = self._file.read(min(self._CHUNK, n - len(buffer)))
            if not piece:
                break
            buffer += piece
        return bytes(buffer)

    def readinto(self, b: Any) -> int:
        return self._file.readinto(b)  # type: ignore[attr-defined, no-any-return]

    def readline(self, size: int = -1) -> bytes:
        return self._file.readline(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def seekable(self) -> bool:
        return self._file.seekable()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


class PickleFileProcessor(FileProcessor):
    """Any picklable object, protocol 4 (dill's when installed, as upstream); `.pkl`."""

    unpickles = True

    def load(self, file: IO[Any]) -> Any:
        reader: Any = _ChunkedLargeFileReader(file) if file.seekable() else file
        try:
            return _pickle.load(reader)
        except Exception:
            if not file.seekable():
                raise
            file.seek(0)
            # pickles written by older pandas versions only load through pandas' compatibility layer
            return pd.read_pickle(file)

    def dump(self, obj: Any, file: IO[Any]) -> None:
        _pickle.dump(obj, file)


class TextFileProcessor(FileProcessor):
    """`.txt` / `.ini`: a list is written one item per line; anything else as `str(obj)`. Loads lines."""

    def format(self) -> StreamFormat:
        return Text("utf-8")

    def load(self, file: IO[Any]) -> list[str]:
        return [line.rstrip() for line in file]

    def dump(self, obj: Any, file: IO[Any]) -> None:
        if isinstance(obj, list):
            for item in obj:
                file.write(str(item) + "\n")
        else:
            file.write(str(obj))


class GzipFileProcessor(FileProcessor):
    """`.gz`: like text, UTF-8 inside standard gzip."""

    def format(self) -> StreamFormat:
        return GZIP

    def _stored_damage(self, raw: BinaryIO) -> str | None:
        return None if self._replaced(GzipFileProcessor, "dump", "format") else GZIP_RULE.damage(raw)

    def load(self, file: IO[Any]) -> list[str]:
        return [line.rstrip().decode("utf-8") for line in file]

    def dump(self, obj: Any, file: IO[Any]) -> None:
        if isinstance(obj, list):
            for item in obj:
                file.write((str(item) + "\n").encode("utf-8"))
        else:
            file.write(str(obj).encode("utf-8"))


class XmlFileProcessor(FileProcessor):
    """`.xml`: an ElementTree, written as `ElementTree.write` does to a binary file (us-ascii, no
    declaration). Upstream's dump always failed; an empty file loads as an empty ElementTree."""

    expected_types = "xml.etree.ElementTree.ElementTree"

    def check(self, obj: object) -> None:
        if not isinstance(obj, ET.ElementTree):
            raise self._reject(obj)

    def load(self, file: IO[Any]) -> ET.ElementTree[Any]:
        content = file.read()
        if not content.strip():
            return ET.ElementTree()
        return ET.ElementTree(ET.fromstring(content))

    def dump(self, obj: Any, file: IO[Any]) -> None:
        self.check(obj)
        obj.write(file)


class NpzFileProcessor(FileProcessor):
    """`.npz`: one ndarray stored as `data` in a compressed npz."""

    expected_types = "np.ndarray"

    def check(self, obj: object) -> None:
        if not isinstance(obj, np.ndarray):
            raise self._reject(obj)

    def load(self, file: IO[Any]) -> np.ndarray[Any, Any]:
        with np.load(file) as archive:
            return archive["data"]  # type: ignore[no-any-return]

    def dump(self, obj: Any, file: IO[Any]) -> None:
        self.check(obj)
        np.savez_compressed(file, data=obj)
