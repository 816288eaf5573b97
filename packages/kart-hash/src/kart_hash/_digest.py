"""Streaming digests of files, for integrity checks of cached outputs."""

from __future__ import annotations

import hashlib
import os
from typing import BinaryIO

_CHUNK = 1 << 20


def file_digest(path_or_file: str | os.PathLike[str] | BinaryIO, algorithm: str = "sha256") -> str:
    """Hex digest of a file's bytes, read in 1 MiB chunks so large caches never sit in memory twice.

    A binary file object is read from its current position to the end and left there.
    """
    try:
        digest = hashlib.new(algorithm)
    except ValueError:
        known = ", ".join(sorted(hashlib.algorithms_guaranteed))
        raise ValueError(f"unknown digest algorithm {algorithm!r}; available: {known}") from None
    if isinstance(path_or_file, str | os.PathLike):
        try:
            with open(path_or_file, "rb") as handle:
                _feed(digest, handle)
        except FileNotFoundError:
            raise FileNotFoundError(f"cannot digest missing file: {os.fspath(path_or_file)}") from None
    else:
        _feed(digest, path_or_file)
    return digest.hexdigest()


def _feed(digest: hashlib._Hash, handle: BinaryIO) -> None:
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    readinto = getattr(handle, "readinto", None)
    if readinto is not None:
        while n := readinto(view):
            digest.update(view[:n])
        return
    while chunk := handle.read(_CHUNK):
        digest.update(chunk)
