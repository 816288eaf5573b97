"""Streaming digests of files, for integrity checks of cached outputs."""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import BinaryIO

from ._errors import DigestFileNotFoundError, InvalidInputError

_CHUNK = 1 << 20


def file_digest(path_or_file: str | os.PathLike[str] | BinaryIO, algorithm: str = "sha256") -> str:
    """Hex digest of a file's bytes, read in 1 MiB chunks so large caches never sit in memory twice.

    A binary file object is read from its current position to the end and left there.
    """
    digest, _ = file_digest_and_hmac(path_or_file, None, algorithm)
    return digest


def file_digest_and_hmac(
    path_or_file: str | os.PathLike[str] | BinaryIO, key: bytes | None, algorithm: str = "sha256"
) -> tuple[str, str | None]:
    """Hex digest and, when `key` is given, hex HMAC (same algorithm) of a file's bytes, in one read.

    Reading once matters for object-store streams that cannot be rewound cheaply; the digest equals
    `file_digest`'s. Without a key the HMAC is None. A file object is read from its position to the end.
    """
    try:
        digest = hashlib.new(algorithm)
    except ValueError:
        known = ", ".join(sorted(hashlib.algorithms_guaranteed))
        raise InvalidInputError(f"unknown digest algorithm {algorithm!r}; available: {known}") from None
    mac = hmac.new(key, digestmod=algorithm) if key is not None else None
    if isinstance(path_or_file, str | os.PathLike):
        try:
            with open(path_or_file, "rb") as handle:
                _feed(digest, mac, handle)
        except FileNotFoundError:
            raise DigestFileNotFoundError(f"cannot digest missing file: {os.fspath(path_or_file)}") from None
    else:
        _feed(digest, mac, path_or_file)
    return digest.hexdigest(), (mac.hexdigest() if mac is not None else None)


def _feed(digest: hashlib._Hash, mac: hmac.HMAC | None, handle: BinaryIO) -> None:
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    readinto = getattr(handle, "readinto", None)
    if readinto is not None:
        while n := readinto(view):
            digest.update(view[:n])
            if mac is not None:
                mac.update(view[:n])
        return
    while chunk := handle.read(_CHUNK):
        digest.update(chunk)
        if mac is not None:
            mac.update(chunk)
