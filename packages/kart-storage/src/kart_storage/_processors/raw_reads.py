"""Ways to hand a library the stored bytes without the slow layers a file object adds, loading the same.

Text mode made pandas decode the whole csv to str and encode it back to UTF-8 for its C parser; a
Python file made pyarrow call back into Python (under the GIL) for every read. Both helpers keep what
those layers guaranteed: `UniversalNewlines` the newline translation of text mode, `native_local_file`
the very file the target opened (and possibly verified).
"""

from __future__ import annotations

import codecs
import importlib
import os
from typing import IO, Any, Protocol


def is_utf8(encoding: str) -> bool:
    """Whether `encoding` names UTF-8 (any spelling); unknown names are not."""
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class UniversalNewlines:
    """A binary stream read with `\\r\\n` and lone `\\r` turned into `\\n`, as text mode's universal
    newlines turn them, so a UTF-8 parser fed these bytes sees what it would see through text mode
    (in UTF-8 the byte 0x0D is only ever the character `\\r`). Chunks without `\\r` pass unchanged."""

    def __init__(self, raw: _Readable) -> None:
        self._raw = raw
        self._after_cr = False  # the last chunk ended in `\r`: a `\n` opening the next one belongs to it

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if self._after_cr and data[:1] == b"\n":
            data = data[1:] or self._raw.read(size)  # an empty chunk would mean the end to the caller
        if b"\r" not in data:
            self._after_cr = False
            return data
        self._after_cr = data.endswith(b"\r")
        return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")

    def readable(self) -> bool:
        return True


def native_local_file(raw: IO[bytes]) -> Any | None:
    """A pyarrow file of its own on the local file `raw` reads, so pyarrow reads in C++; None when `raw`
    is no local file (object-store spools, memory), pyarrow is missing, or the path now names another
    file than the one `raw` opened (replaced in between: then `raw` itself is read)."""
    name = getattr(raw, "name", None)
    if not isinstance(name, str):
        return None
    try:
        if raw.tell() != 0:
            return None  # the caller read some already: only `raw` knows where it stands
        opened = os.fstat(raw.fileno())
    except (AttributeError, OSError, ValueError):
        return None
    try:
        pyarrow: Any = importlib.import_module("pyarrow")
    except ImportError:
        return None  # the ordinary read reports the missing extra
    try:
        native = pyarrow.OSFile(name)
    except (OSError, pyarrow.ArrowException):
        return None
    found = os.fstat(native.fileno())
    if (found.st_dev, found.st_ino) != (opened.st_dev, opened.st_ino):
        native.close()
        return None
    return native


def reopened_path(raw: IO[bytes]) -> str | None:
    """A path naming the very file `raw` has open (Linux's `/proc/self/fd/<n>`: opening it opens that
    file even if its name was replaced meanwhile), for libraries that read faster from a path than from
    a Python stream; None when `raw` is no OS file, was read from already, or there is no such path."""
    try:
        if raw.tell() != 0:
            return None
        descriptor = raw.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    path = f"/proc/self/fd/{descriptor}"
    try:
        same = os.path.samestat(os.stat(path), os.fstat(descriptor))
    except OSError:
        return None
    return path if same else None
