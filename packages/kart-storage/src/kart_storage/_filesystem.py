"""Where bytes live: the `FileSystem` protocol and the registry that picks one from a path's scheme.

Every backend (local, S3, GCS, memory) implements the same small protocol and passes the same
conformance suite (tests/kart_storage/filesystem_conformance.py), so a target never branches on
`path.startswith(...)`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import BinaryIO, Protocol, runtime_checkable

from ._errors import StorageArgumentError


@runtime_checkable
class FileSystem(Protocol):
    """Bytes addressed by the full path the user wrote (`s3://b/k`, `gs://b/k`, `memory://k`, `/tmp/x`)."""

    def exists(self, path: str) -> bool:
        """Whether an object is stored at `path` (an object, never a "directory" prefix)."""
        ...

    def exists_many(self, paths: Sequence[str]) -> list[bool]:
        """Existence of many paths at once; backends batch (threads, prefix listing) rather than loop."""
        ...

    def open_read(self, path: str) -> AbstractContextManager[BinaryIO]:
        """A readable binary stream; raises TargetNotFoundError when missing. May not be seekable."""
        ...

    def open_write(
        self, path: str, *, metadata: Mapping[str, str] | None = None
    ) -> AbstractContextManager[BinaryIO]:
        """A writable binary stream whose content becomes visible at `path` only when the block
        exits without an exception (atomic publish); on an exception nothing is left behind.
        `metadata` is stored with the object where the store supports it (S3, GCS) and ignored elsewhere."""
        ...

    def remove(self, path: str) -> None:
        """Delete; raises TargetNotFoundError when missing."""
        ...

    def last_modified(self, path: str) -> datetime:
        """Timezone-aware UTC modification time; raises TargetNotFoundError when missing."""
        ...


@runtime_checkable
class CreateOnlyFileSystem(Protocol):
    """A file system that can publish a new object without ever replacing an existing one."""

    def open_create(
        self, path: str, *, metadata: Mapping[str, str] | None = None
    ) -> AbstractContextManager[BinaryIO]:
        """Like `open_write`, but publishing is an atomic create on the store (S3 `If-None-Match: *`,
        GCS `ifGenerationMatch=0`, a hard link on local disk): when `path` already exists the block
        raises TargetExistsError and the existing object is left untouched."""
        ...


FileSystemFactory = Callable[[], FileSystem]
#: asked first for a scheme's paths; answers None to leave them to the registered file system
FileSystemOverride = Callable[[str], FileSystem | None]

_factories: dict[str, FileSystemFactory] = {}
_instances: dict[str, FileSystem] = {}
_overrides: dict[str, FileSystemOverride] = {}


def forget_filesystems() -> None:
    """Drop the file systems built so far (and their clients); the next path builds a fresh one from the
    registered factory. Registrations and overrides stay (part of `kart_storage.reset`)."""
    _instances.clear()


#: schemes registered without `default=True` (a user's choice, which a default never replaces)
_chosen: set[str] = set()


def register_filesystem(scheme: str, factory: FileSystemFactory, *, default: bool = False) -> None:
    """Make paths starting with `<scheme>://` use the file system `factory()` builds (once, lazily).

    `default=True` registers a default: it replaces another default (kart-storage's built-in backends,
    registered on import) but gives way to a registration made without it, earlier or later. Host packages
    register theirs so, and an explicit `configure_s3(...)` made before they were imported still counts.
    """
    if default and scheme in _chosen:
        return
    if not default:
        _chosen.add(scheme)
    _factories[scheme] = factory
    _instances.pop(scheme, None)


def override_filesystem(scheme: str, resolver: FileSystemOverride | None) -> None:
    """Let `resolver(path)` choose the file system of `scheme`'s paths when a target is made (None
    removes it). For hosts whose I/O can be redirected at run time: kart-task sends local paths through
    a test's patched `luigi.LocalTarget`. The resolver runs on every lookup, so it must be cheap."""
    if resolver is None:
        _overrides.pop(scheme, None)
    else:
        _overrides[scheme] = resolver


def scheme_of(path: str) -> str:
    """`s3` for `s3://bucket/key`; `file` for plain local paths. Case-sensitive, as gokart's prefixes."""
    head, sep, _ = path.partition("://")
    return head if sep and head.isidentifier() else "file"


def filesystem_for(path: str) -> FileSystem:
    """The file system for `path`'s scheme. Unregistered schemes (`S3://`, `s3a://`, `file://`) are
    local paths, literally, exactly as gokart treats them."""
    scheme = scheme_of(path)
    if scheme not in _factories:
        scheme = "file"
    if _overrides:
        resolver = _overrides.get(scheme)
        chosen = resolver(path) if resolver is not None else None
        if chosen is not None:
            return chosen
    instance = _instances.get(scheme)
    if instance is None:
        try:
            factory = _factories[scheme]
        except KeyError:
            raise StorageArgumentError(
                f"no file system registered for local paths such as {path!r}"
            ) from None
        instance = _instances[scheme] = factory()
    return instance
