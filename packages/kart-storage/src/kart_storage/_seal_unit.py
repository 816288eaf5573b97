"""Data and its seal as one unit: every output that exists() loads, and a crash at any step leaves the
old unit or the new one.

Object stores (S3, GCS, memory) carry the seal in the object's metadata: it is published with the
bytes in one request, and read with them in one response (`open_read_with_metadata`), so a reader never
pairs one version's bytes with another version's seal.

Local disk keeps the data bytes exactly gokart's, so the seal lives outside them, in the sidecar
`<path>.kart-digest`. Publishing is then three steps, run under the target's writers' lock (a `flock`,
see `_backends/_writer_lock`) and only around the rename, never around the slow staging of the data:

1. the sidecar lists the new seal and the seal of the file in place (both are accepted);
2. the data is renamed into place;
3. the sidecar keeps the new seal only.

A crash before 2 leaves the old file under a sidecar that accepts it; after 2, the new file under one
that accepts it. The lock keeps two writers from interleaving these steps (unserialised, one writer's
last step could leave the other's bytes under its own seal). `create_only` writes the sidecar first
and links the data last, so a crash leaves either nothing visible (a sidecar without data, replaced by
the next dump) or the complete unit. A reader reads the sidecar before it opens the data and, only when
the bytes it hashed match no seal of that sidecar, once more: between the two reads a writer can only
have moved from one accepted state to the next.

Rejected alternatives: extended attributes would move the seal with the rename, but many file systems
(tmpfs before Linux 6.6, NFS before v4.2) and copy tools drop them; a manifest that alone decides
`exists()` would make upstream gokart's files (which have none) invisible.

A third-party file system with neither metadata nor `writers_lock` gets the same steps without the lock
(crash-safe, not safe against two unlocked writers of one target).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import BinaryIO, Protocol, cast

from . import _integrity
from ._errors import IntegrityError, TargetExistsError, TargetNotFoundError
from ._filesystem import FileSystem
from ._integrity import IntegrityPolicy, Seal, read_seal, remove_sidecar

#: entered just before the rename (or link) that publishes the data, left just after it
PublishStep = Callable[[], AbstractContextManager[object]]


class _LockingFileSystem(Protocol):
    def writers_lock(self, path: str) -> AbstractContextManager[None]: ...


class _OneResponseFileSystem(Protocol):
    def open_read_with_metadata(
        self, path: str
    ) -> AbstractContextManager[tuple[BinaryIO, dict[str, str]]]: ...


def _locker(filesystem: FileSystem) -> Callable[[str], AbstractContextManager[None]] | None:
    found = getattr(filesystem, "writers_lock", None)
    return cast(_LockingFileSystem, filesystem).writers_lock if found is not None else None


def publish_with_sidecar(
    filesystem: FileSystem,
    path: str,
    seal: Seal | None,
    *,
    create_only: bool,
    publish: Callable[[PublishStep | None], None],
) -> None:
    """Run `publish(step)` (which writes the data and calls its rename inside `step()`) with the sidecar
    steps around the rename: `seal` None drops a stale sidecar (an unsealed overwrite)."""
    if seal is None and (create_only or not filesystem.exists(_integrity.sidecar_path(path))):
        # nothing to write or drop: gokart's plain dump, without the lock's cost. (A sealed writer racing
        # an unsealed one on the same target is a mixed configuration: whichever ends last decides.)
        publish(None)
        return
    locker = _locker(filesystem)
    if locker is None:
        with _sidecar_steps(filesystem, path, seal, create_only=create_only):
            publish(None)
        return
    lock = locker

    @contextlib.contextmanager
    def step() -> Iterator[None]:
        with lock(path), _sidecar_steps(filesystem, path, seal, create_only=create_only):
            yield

    publish(step)


@contextlib.contextmanager
def _sidecar_steps(
    filesystem: FileSystem, path: str, seal: Seal | None, *, create_only: bool
) -> Iterator[None]:
    """The sidecar before and after the data's publication (see the module's docstring)."""
    if seal is None:
        remove_sidecar(filesystem, path)  # a stale seal would fail later loads
        yield
        return
    if create_only:
        if filesystem.exists(path):
            raise TargetExistsError(path)  # the loser must not touch the winner's sidecar
        _integrity.write_sidecar(filesystem, path, seal)
        yield
        return
    previous = _seal_of_file_in_place(filesystem, path)
    if previous is None:
        _integrity.write_sidecar(filesystem, path, seal)
        yield
        return
    _integrity.write_sidecar(filesystem, path, Seal(seal.digest, seal.signature, (previous,)))
    yield
    _integrity.write_sidecar(filesystem, path, seal)


def _seal_of_file_in_place(filesystem: FileSystem, path: str) -> Seal | None:
    """The recorded seal that accepts the file now at `path` (None: no file, or nothing vouches for it).
    After a crashed overwrite the sidecar lists several; only then is the file hashed, to keep the one
    that matches, so accepted seals never pile up."""
    if not filesystem.exists(path):
        return None
    try:
        recorded = read_seal(filesystem, path)
    except IntegrityError:
        return None  # an unreadable old seal protects nothing worth keeping
    if recorded is None or not recorded.previous:
        return recorded
    return _integrity.seal_in_place(filesystem, path, recorded)


def remove_unit(filesystem: FileSystem, path: str) -> None:
    """Remove the data, then its sidecar, under the writers' lock (a writer's sidecar steps never
    straddle a removal). Missing parts are fine: the goal is that nothing is left."""
    locker = _locker(filesystem) if not _integrity.keeps_metadata(filesystem) else None
    with contextlib.ExitStack() as held:
        if locker is not None:
            with contextlib.suppress(FileNotFoundError):  # no directory: nothing to remove or lock
                held.enter_context(locker(path))
        with contextlib.suppress(TargetNotFoundError):
            filesystem.remove(path)
        remove_sidecar(filesystem, path)


@dataclass(frozen=True)
class RecordedSeal:
    """The seal a read found, and how to read it once more when the bytes matched none of it."""

    first: Seal | None
    again: Callable[[], Seal | None] | None = None

    def check(self, policy: IntegrityPolicy, path: str, actual: Seal) -> None:
        """`policy.check` against the seal read with (or before) the bytes; on a mismatch, once against
        a fresh read of it: a writer may have finished its steps meanwhile (see the module docstring)."""
        try:
            policy.check(path, self.first, actual)
        except IntegrityError:
            if self.again is None:
                raise
            fresh = self.again()
            if fresh == self.first:
                raise
            policy.check(path, fresh, actual)


@contextlib.contextmanager
def open_sealed(filesystem: FileSystem, path: str) -> Iterator[tuple[BinaryIO, RecordedSeal]]:
    """The stored bytes (a stream, maybe not seekable) with the seal that belongs to them: from the same
    response on stores that can (`open_read_with_metadata`), else read just before the bytes."""
    keeps = _integrity.keeps_metadata(filesystem)  # the one rule for where the seal is
    if keeps and getattr(filesystem, "open_read_with_metadata", None) is not None:
        with cast(_OneResponseFileSystem, filesystem).open_read_with_metadata(path) as (stream, metadata):
            yield stream, RecordedSeal(Seal.from_metadata(metadata))
        return
    first = read_seal(filesystem, path)
    with filesystem.open_read(path) as stream:
        yield stream, RecordedSeal(first, lambda: read_seal(filesystem, path))
