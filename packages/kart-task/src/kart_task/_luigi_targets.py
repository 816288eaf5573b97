"""Where kart's targets meet luigi's: a patched `luigi.LocalTarget`, luigi's `Target` ABC, kart-lock's
lock wrappers.

gokart made every local file through `luigi.LocalTarget(path, format=...)`, so tests that patch that
attribute (most often with `luigi.mock.MockTarget`) keep gokart's outputs in memory. kart-storage writes
local files itself and knows nothing of luigi; this module hands it, for local paths, a `FileSystem`
that goes through whatever `luigi.LocalTarget` is when a target is made, as long as it is not luigi's own
class (one identity check; the fast local file system otherwise).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, BinaryIO

import luigi
import luigi.format
import luigi.local_target
import luigi.target

import kart_lock
import kart_storage

_LUIGI_LOCAL_TARGET = luigi.local_target.LocalTarget

_written_at: dict[str, datetime] = {}  # path -> when kart last wrote it through a patched LocalTarget
_written_at_guard = threading.Lock()


class LuigiTargetFileSystem:
    """kart-storage's FileSystem over a luigi target class (or any callable `factory(path, format=...)`
    giving objects with luigi's `open('r'/'w')`, `exists()` and `remove()`/`fs.remove(path)`).

    Streams are binary (`format=luigi.format.Nop`): kart's processors add their own encoding on top,
    so the bytes stored are the file's bytes. luigi targets carry no modification time: kart records
    the time of the writes it makes, and asks the disk for anything else.
    """

    def __init__(self, factory: Callable[..., Any]) -> None:
        self.factory = factory

    def _target(self, path: str) -> Any:
        return self.factory(path, format=luigi.format.Nop)

    def exists(self, path: str) -> bool:
        return bool(self._target(path).exists())

    def exists_many(self, paths: Sequence[str]) -> list[bool]:
        return [self.exists(path) for path in paths]

    @contextlib.contextmanager
    def open_read(self, path: str) -> Iterator[BinaryIO]:
        target = self._target(path)
        if not target.exists():
            raise kart_storage.TargetNotFoundError(path)
        with target.open("r") as stream:
            yield stream

    @contextlib.contextmanager
    def open_write(self, path: str, *, metadata: Mapping[str, str] | None = None) -> Iterator[BinaryIO]:
        """luigi's targets publish on a clean close only (MockTarget and LocalTarget alike); `metadata`
        has no place in them and is ignored, as on local disk."""
        with self._target(path).open("w") as stream:
            yield stream
        with _written_at_guard:
            _written_at[path] = datetime.now(UTC)

    @contextlib.contextmanager
    def open_create(self, path: str, *, metadata: Mapping[str, str] | None = None) -> Iterator[BinaryIO]:
        """A check, then a write: luigi's targets have no atomic create, so two writers racing inside
        one test can both publish. Enough for the in-memory doubles this file system exists for."""
        if self.exists(path):
            raise kart_storage.TargetExistsError(path)
        with self.open_write(path, metadata=metadata) as stream:
            yield stream

    def remove(self, path: str) -> None:
        target = self._target(path)
        if not target.exists():
            raise kart_storage.TargetNotFoundError(path)
        remove = getattr(target, "remove", None)
        if callable(remove):
            remove()
        else:
            target.fs.remove(path)
        with _written_at_guard:
            _written_at.pop(path, None)

    def last_modified(self, path: str) -> datetime:
        if not self.exists(path):
            raise kart_storage.TargetNotFoundError(path)
        with _written_at_guard:
            recorded = _written_at.get(path)
        if recorded is not None:
            return recorded
        try:  # a LocalTarget subclass that really writes to disk
            return datetime.fromtimestamp(os.stat(path).st_mtime, tz=UTC)
        except FileNotFoundError:
            raise kart_storage.TargetNotFoundError(path) from None


_current: list[LuigiTargetFileSystem] = []  # the file system of the last patched class seen


def patched_local_filesystem(path: str) -> kart_storage.FileSystem | None:
    """The file system for a local `path` while `luigi.LocalTarget` is patched; None when it is not."""
    factory = luigi.LocalTarget
    if factory is _LUIGI_LOCAL_TARGET:
        return None
    if _current and _current[0].factory is factory:
        return _current[0]
    filesystem = LuigiTargetFileSystem(factory)
    _current[:] = [filesystem]
    return filesystem


def forget_filesystem() -> None:
    """Forget the file system built for the last patched LocalTarget class (kart_task.reset()). The write
    times recorded in `_written_at` are kept: they describe files that still exist."""
    _current.clear()


def _wrap_dump(func: Callable[..., Any], params: Any, exist_check: Callable[[], bool]) -> Callable[..., Any]:
    return kart_lock.wrap_dump_with_lock(func, params, exist_check)


def _wrap_load(func: Callable[..., Any], params: Any) -> Callable[..., Any]:
    return kart_lock.wrap_load_with_lock(func, params)


def _wrap_remove(func: Callable[..., Any], params: Any) -> Callable[..., Any]:
    return kart_lock.wrap_remove_with_lock(func, params)


KART_LOCK_WRAPPERS = kart_storage.LockWrappers(dump=_wrap_dump, load=_wrap_load, remove=_wrap_remove)


def install() -> None:
    """Called once when kart_task is imported."""
    kart_storage.override_filesystem("file", patched_local_filesystem)
    kart_storage.set_lock_wrappers(KART_LOCK_WRAPPERS)
    # a lock-wrapped dump asks its lock before each write becomes visible (a lost lock stops the write)
    kart_lock.set_publish_scope(kart_storage.publish_guard)
    # gokart's targets are luigi Targets: kart-storage's base joins luigi's ABC virtually (no luigi there)
    luigi.target.Target.register(kart_storage.TargetOnKart)  # type: ignore[type-abstract]


install()
