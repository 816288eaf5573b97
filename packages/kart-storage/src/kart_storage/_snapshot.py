"""Private snapshots for verified reads: what is verified is exactly what is decoded.

Hashing the stored file and then reading it again to decode it lets a process that rewrites the file in
between (a shared disk, NFS, a racing writer) have bytes decoded that were never checked. A verified
read therefore copies the stored bytes once, hashing them as they are copied, and decodes only the copy:
in memory up to `IN_MEMORY_LIMIT`, above it in a file inside a fresh directory of mode 0700 in the
system's temporary directory (TMPDIR), removed afterwards. The copy keeps a real path, so readers that
hand a path to a native library (pyarrow) read the copy, never the original.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, BinaryIO, cast

from ._integrity import Seal, compute_seal

#: snapshots up to this size stay in memory; larger ones go to a private file (decoders read a real file
#: faster than a BytesIO: above about 1 MiB the file's write costs less than what it saves)
IN_MEMORY_LIMIT = 2**20
_DIRECTORY_PREFIX = "kart-verified-"


def private_directory(prefix: str) -> str:
    """A fresh directory only this user can enter (mode 0700), in the system's temporary directory: never
    a folder shared with others, where files could be planted or directories swapped."""
    return tempfile.mkdtemp(prefix=prefix)


def _create_private(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0), 0o600)


class Snapshot:
    """The bytes of one read, copied once: memory first, a private file once they outgrow the limit."""

    def __init__(self) -> None:
        self._memory: io.BytesIO | None = io.BytesIO()
        self._file: IO[bytes] | None = None
        self._directory: str | None = None

    def write(self, data: bytes) -> int:
        if self._memory is not None and self._memory.tell() + len(data) > IN_MEMORY_LIMIT:
            self._move_to_file()
        sink = self._memory if self._memory is not None else self._file
        return cast(IO[bytes], sink).write(data)

    def _move_to_file(self) -> None:
        self._directory = private_directory(_DIRECTORY_PREFIX)
        handle = open(os.path.join(self._directory, "snapshot"), "x+b", opener=_create_private)  # noqa: SIM115 - closed in close()
        handle.write(cast(io.BytesIO, self._memory).getbuffer())
        self._file = handle
        self._memory = None

    def fill(self, source: IO[bytes], signing_key: bytes | None) -> Seal:
        """Copy `source` (from its position to its end) and return the seal of exactly what was copied."""
        return compute_seal(cast(IO[bytes], _Copying(source, self)), signing_key)

    def stream(self) -> BinaryIO:
        """The copied bytes, seekable, from the start (a named file when they went to disk)."""
        current = self._memory if self._memory is not None else self._file
        stream = cast(BinaryIO, current)
        stream.flush()
        stream.seek(0)
        return stream

    def close(self) -> None:
        if self._memory is not None:
            self._memory.close()
        if self._file is not None:
            self._file.close()
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)


class _Copying:
    """A reader that hands on what it reads to the snapshot too (the hash sees the bytes the copy gets)."""

    def __init__(self, source: IO[bytes], sink: Snapshot) -> None:
        self._source = source
        self._sink = sink

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        if data:
            self._sink.write(data)
        return data


@contextmanager
def snapshot() -> Iterator[Snapshot]:
    """An empty snapshot, its memory or private file released on exit whatever happens."""
    taken = Snapshot()
    try:
        yield taken
    finally:
        taken.close()
