"""Seals: a SHA-256 digest (and, for pickle-family files, an HMAC-SHA256) recorded when a target is
written and checked before it is read.

The stored bytes never change, so upstream gokart still reads every file. The seal lives in the
object's metadata where the file system keeps metadata (S3, GCS, memory) and in a sidecar file
`<path>.kart-digest` elsewhere (local disk). How data and seal are published and read as one unit
(one request on object stores; locked sidecar steps around the rename on local disk) is `_seal_unit`.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, BinaryIO, Literal, Protocol, cast

from kart_hash import file_digest_and_hmac

from ._errors import IntegrityError, IntegritySettingError, TargetNotFoundError, UntrustedPickleError
from ._filesystem import FileSystem

logger = logging.getLogger(__name__)

#: "1"/"true"/"on": verify when present, warn when missing; "strict": a missing digest is an error too
VERIFY_ENV = "KART_VERIFY_INTEGRITY"
#: the key (text, used as UTF-8) that signs and checks pickle-family files
SIGNING_KEY_ENV = "KART_PICKLE_SIGNING_KEY"
SIDECAR_SUFFIX = ".kart-digest"
DIGEST_FIELD = "kart-sha256"
SIGNATURE_FIELD = "kart-hmac-sha256"

VerifyMode = Literal["off", "on", "strict"]
VerifyOption = bool | Literal["strict"] | None

#: the words of the integrity switch (case and surrounding spaces ignored), here and in kart-task
_VERIFY_WORDS: dict[str, bool | Literal["strict"]] = {
    **dict.fromkeys(("1", "true", "yes", "on"), True),
    **dict.fromkeys(("", "0", "false", "no", "off"), False),
    "strict": "strict",
}


class IntegrityWarning(UserWarning):
    """A file was loaded under verification although it carries no digest (written by upstream gokart or
    with verification off). Strict verification turns this into IntegrityError."""


def parse_verify_integrity(word: object) -> VerifyOption:
    """The integrity switch (`verify_integrity`, `KART_VERIFY_INTEGRITY`) from its word: "1", "true",
    "yes", "on" give True; "", "0", "false", "no", "off" give False; "strict" gives "strict" (case and
    surrounding spaces ignored; other values by their text). True, False and None (unset: the environment
    decides) pass through. Anything else raises IntegritySettingError (a ValueError) naming the value."""
    if word is None or isinstance(word, bool):
        return word
    found = _VERIFY_WORDS.get(str(word).strip().lower())
    if found is not None:
        return found
    raise IntegritySettingError(f"verify_integrity must be true, strict or false, not {word!r}")


def resolve_verify(option: VerifyOption) -> VerifyMode:
    """The argument when given (True, False or "strict"), else KART_VERIFY_INTEGRITY, else off."""
    if option is None:
        raw = os.environ.get(VERIFY_ENV, "").strip().lower()
        try:
            option = parse_verify_integrity(raw)
        except IntegritySettingError:
            raise IntegritySettingError(f"{VERIFY_ENV}={raw!r} is not one of 0, 1, strict") from None
        return "strict" if option == "strict" else "on" if option else "off"
    if option == "strict":
        return "strict"
    if isinstance(option, bool):
        return "on" if option else "off"
    raise IntegritySettingError(f"verify_integrity must be True, False or 'strict', got {option!r}")


def resolve_signing_key(key: bytes | str | None) -> bytes | None:
    """The argument when given, else KART_PICKLE_SIGNING_KEY; an empty key means no signing."""
    if key is None:
        key = os.environ.get(SIGNING_KEY_ENV, "")
    if isinstance(key, str):
        key = key.encode("utf-8")
    return key or None


def integrity_policy(
    verify_integrity: VerifyOption, signing_key: bytes | str | None, *, unpickles: bool
) -> IntegrityPolicy:
    """Arguments first, then the environment; a signing key only matters to formats that unpickle."""
    key = resolve_signing_key(signing_key) if unpickles else None
    return IntegrityPolicy(verify=resolve_verify(verify_integrity), signing_key=key)


@dataclass(frozen=True)
class Seal:
    """What is recorded about a file's bytes."""

    digest: str
    signature: str | None = None
    #: seals of the file(s) being replaced, accepted too while a sidecar overwrite is in flight
    previous: tuple[Seal, ...] = ()

    def as_metadata(self) -> dict[str, str]:
        fields = {DIGEST_FIELD: self.digest}
        if self.signature is not None:
            fields[SIGNATURE_FIELD] = self.signature
        return fields

    def candidates(self) -> list[Seal]:
        return [Seal(self.digest, self.signature), *self.previous]

    @classmethod
    def from_metadata(cls, fields: Mapping[str, str]) -> Seal | None:
        digest = fields.get(DIGEST_FIELD)
        signature = fields.get(SIGNATURE_FIELD)
        if digest is None and signature is None:
            return None
        return cls(digest or "", signature)


def compute_seal(stream: IO[bytes], signing_key: bytes | None) -> Seal:
    """SHA-256 digest (and HMAC-SHA256 when a key is given) of the stream from its position to its end,
    in one pass (kart_hash's file digest: the same hex text as before, so existing seals verify)."""
    digest, signature = file_digest_and_hmac(cast(BinaryIO, stream), signing_key, "sha256")
    return Seal(digest, signature)


class _MetadataFileSystem(Protocol):
    def read_metadata(self, path: str) -> dict[str, str]: ...


def keeps_metadata(filesystem: FileSystem) -> bool:
    """Whether seals go into object metadata (published atomically with the bytes) rather than a sidecar:
    the file system has a `read_metadata` method. The one rule for writes and reads, asked live each
    time (nothing cached that could go stale); the same test as `isinstance` against the runtime
    protocol, without its cost of tens of microseconds on every write."""
    return getattr(filesystem, "read_metadata", None) is not None


def sidecar_path(path: str) -> str:
    return path + SIDECAR_SUFFIX


def read_seal(filesystem: FileSystem, path: str) -> Seal | None:
    if keeps_metadata(filesystem):
        return Seal.from_metadata(cast(_MetadataFileSystem, filesystem).read_metadata(path))
    try:
        with filesystem.open_read(sidecar_path(path)) as stream:
            raw = stream.read()
    except TargetNotFoundError:
        return None
    try:
        return _seal_from_json(json.loads(raw))
    except ValueError as exc:
        raise IntegrityError(f"the digest file {sidecar_path(path)} of {path} is unreadable: {exc}") from exc


def _seal_from_json(fields: object) -> Seal | None:
    if not isinstance(fields, dict):
        raise ValueError("not a JSON object")
    seal = Seal.from_metadata({str(k): str(v) for k, v in fields.items() if k != "previous"})
    listed = fields.get("previous", [])
    if not isinstance(listed, list):
        raise ValueError("'previous' is not a list")
    previous = tuple(found for found in map(_seal_from_json, listed) if found is not None)
    if seal is None or not previous:
        return seal
    return Seal(seal.digest, seal.signature, previous)


def write_sidecar(filesystem: FileSystem, path: str, seal: Seal) -> None:
    fields: dict[str, object] = dict(seal.as_metadata())
    if seal.previous:
        fields["previous"] = [accepted.as_metadata() for accepted in seal.previous]
    with filesystem.open_write(sidecar_path(path)) as stream:
        stream.write(json.dumps(fields, sort_keys=True).encode("ascii"))


def seal_in_place(filesystem: FileSystem, path: str, recorded: Seal) -> Seal | None:
    """After a crashed overwrite the sidecar accepts several files: hash the one in place (only then) to
    keep the single seal that matches it, so accepted seals never pile up. None when none matches."""
    with filesystem.open_read(path) as stream:
        digest = compute_seal(stream, None).digest
    for candidate in recorded.candidates():
        if hmac.compare_digest(candidate.digest, digest):
            return candidate
    return None


def remove_sidecar(filesystem: FileSystem, path: str) -> None:
    """Drop a stale sidecar (sidecar file systems only); a missing one is fine."""
    if keeps_metadata(filesystem):
        return
    sidecar = sidecar_path(path)
    if filesystem.exists(sidecar):
        try:
            filesystem.remove(sidecar)
        except TargetNotFoundError:
            pass


@dataclass(frozen=True)
class IntegrityPolicy:
    """How one target records and checks seals. `signing_key` is set only for pickle-family targets."""

    verify: VerifyMode = "off"
    signing_key: bytes | None = None

    @property
    def active(self) -> bool:
        return self.verify != "off" or self.signing_key is not None

    def check(self, path: str, recorded: Seal | None, actual: Seal) -> None:
        """Raise before the file is decoded when its bytes cannot be trusted; warn for a missing digest."""
        candidates = recorded.candidates() if recorded is not None else []
        if self.signing_key is not None:
            signatures = [seal.signature for seal in candidates if seal.signature is not None]
            if not signatures:
                raise UntrustedPickleError(
                    f"refusing to unpickle {path}: it carries no signature while {SIGNING_KEY_ENV} (or"
                    " signing_key=) is set. Rebuild it with the key, or remove it."
                )
            if actual.signature is None or not any(
                hmac.compare_digest(signature, actual.signature) for signature in signatures
            ):
                raise UntrustedPickleError(
                    f"refusing to unpickle {path}: its signature does not match (altered, or signed with"
                    " another key). Rebuild it, or remove it."
                )
        if self.verify == "off":
            return
        digests = [seal.digest for seal in candidates if seal.digest]
        if not digests:
            message = f"{path} carries no digest (written without verify_integrity, or by upstream gokart)"
            if self.verify == "strict":
                raise IntegrityError(f"{message}; strict verification refuses it. Rebuild it or remove it.")
            warnings.warn(f"{message}; loaded unverified", IntegrityWarning, stacklevel=4)
            logger.warning("%s; loaded unverified", message)
            return
        if not any(hmac.compare_digest(digest, actual.digest) for digest in digests):
            raise IntegrityError(
                f"{path} is corrupt: its sha256 is {actual.digest[:16]}..., but {digests[0][:16]}... was"
                " recorded when it was written (truncated or altered). Remove it and rebuild."
            )
