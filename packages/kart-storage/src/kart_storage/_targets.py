"""The target base class: one stored object with gokart's dump/load/exists/remove/path/
last_modification_time, and the lock around dump, load and remove.

An optional lock (any context-manager factory; kart-task plugs kart-lock in) guards dump, load and
remove the way gokart's redis wrappers do: dump takes the lock, re-checks existence and silently skips
when another worker already wrote the target; load waits for the lock to be free, then reads; remove
takes the lock when the target exists.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, ClassVar, NamedTuple

from ._publish_guard import PublishGuard, publish_guard

#: task parameters for GCS labels, or a callable giving them (evaluated only when labels are written)
TaskParams = Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None

#: builds the context manager held around dump / load / remove (e.g. a redis lock)
LockFactory = Callable[[], AbstractContextManager[Any]]


class LockWrappers(NamedTuple):
    """gokart's three lock wrappers (`wrap_dump_with_lock(func, task_lock_params, exist_check)`,
    `wrap_load_with_lock(func, task_lock_params)`, `wrap_remove_with_lock(func, task_lock_params)`),
    installed by the layer that knows the lock backend; kart-storage only calls them."""

    dump: Callable[[Callable[..., Any], Any, Callable[[], bool]], Callable[..., Any]]
    load: Callable[[Callable[..., Any], Any], Callable[..., Any]]
    remove: Callable[[Callable[..., Any], Any], Callable[..., Any]]


_lock_wrappers: list[LockWrappers] = []  # at most one: the installed wrappers


def set_lock_wrappers(wrappers: LockWrappers | None) -> None:
    """Install (or, with None, remove) the wrappers used by targets that report lock parameters."""
    _lock_wrappers[:] = [wrappers] if wrappers is not None else []


def _resolved(value: Any) -> Any:
    return value() if callable(value) else value


class TargetOnKart(abc.ABC):
    """What gokart tasks read and write. Subclasses implement the underscored hooks.

    A lock guards dump, load and remove in one of two ways: a `lock` factory (kart-storage's own), or
    lock parameters reported by `_get_task_lock_params()` and handed to the installed `LockWrappers`
    (gokart's way; kart-task installs kart-lock's). Subclasses written for gokart do not call
    `__init__` and may use a `_lock` attribute of their own, so the base keeps its state under
    `_kart_*` names with class-level defaults.
    """

    _kart_lock: LockFactory | None = None
    _kart_lock_params: Any = None
    #: True where `_dump` accepts task_params / required_task_outputs as callables evaluated on demand
    _kart_lazy_labels: ClassVar[bool] = False

    def __init__(self, lock: LockFactory | None = None, lock_params: Any = None) -> None:
        self._kart_lock = lock
        self._kart_lock_params = lock_params

    @property
    def lock(self) -> LockFactory | None:
        """The lock factory held around dump, load and remove, or None."""
        return self._kart_lock

    def _get_task_lock_params(self) -> Any:
        """The lock parameters given at construction (kart-lock's TaskLockParams when made by a task)."""
        return self._kart_lock_params

    def _wrappers_and_params(self) -> tuple[LockWrappers, Any] | None:
        if not _lock_wrappers:
            return None
        params = self._get_task_lock_params()
        return (_lock_wrappers[0], params) if params is not None else None

    def exists(self) -> bool:
        """Whether the output is stored (complete: writes are all-or-nothing)."""
        return self._exists()

    def load(self) -> Any:
        """The stored object; waits for a writer holding the lock, then reads."""
        by_params = self._wrappers_and_params()
        if by_params is not None:
            wrappers, params = by_params
            return wrappers.load(self._load, params)()
        lock = self._kart_lock
        if lock is not None:
            with lock():
                pass  # a barrier: wait until no writer holds the lock, then read unlocked (writes are atomic)
        return self._load()

    def dump(
        self,
        obj: Any,
        lock_at_dump: bool = True,
        task_params: TaskParams = None,
        custom_labels: Mapping[str, Any] | None = None,
        required_task_outputs: Any = None,
    ) -> None:
        """Store `obj` under the lock; skipped if another worker stored it meanwhile."""
        if not self._kart_lazy_labels:
            # a target written for gokart receives the values, as gokart passed them
            task_params = _resolved(task_params)
            required_task_outputs = _resolved(required_task_outputs)
        labels: dict[str, Any] = {
            "task_params": task_params,
            "custom_labels": custom_labels,
            "required_task_outputs": required_task_outputs,
        }
        if not lock_at_dump:
            self._dump(obj=obj, **labels)
            return
        by_params = self._wrappers_and_params()
        if by_params is not None:
            wrappers, params = by_params
            wrappers.dump(self._dump, params, self.exists)(obj=obj, **labels)
            return
        lock = self._kart_lock
        if lock is None:
            self._dump(obj=obj, **labels)
            return
        with lock() as held:
            if self.exists():
                return  # another worker finished it while we waited: keep theirs, as gokart does
            # A lock that can tell it was lost (kart-lock's RedisLock) vetoes the publish when it was.
            with publish_guard(held if isinstance(held, PublishGuard) else None):
                self._dump(obj=obj, **labels)

    def remove(self) -> None:
        """Delete the output (and its seals) under the lock; nothing to do if missing."""
        if not self.exists():
            return
        by_params = self._wrappers_and_params()
        if by_params is not None:
            wrappers, params = by_params
            wrappers.remove(self._remove, params)()
            return
        lock = self._kart_lock
        if lock is None:
            self._remove()
            return
        with lock():
            self._remove()

    def last_modification_time(self) -> datetime:
        """When the output was last written, as an aware UTC datetime."""
        return self._last_modification_time()

    def path(self) -> str:
        """The output's full path, as given (local, `s3://`, `gs://`, `memory://`)."""
        return self._path()

    @abc.abstractmethod
    def _exists(self) -> bool: ...

    @abc.abstractmethod
    def _load(self) -> Any: ...

    @abc.abstractmethod
    def _dump(
        self,
        obj: Any,
        task_params: TaskParams = None,
        custom_labels: Mapping[str, Any] | None = None,
        required_task_outputs: Any = None,
    ) -> None: ...

    @abc.abstractmethod
    def _remove(self) -> None: ...

    @abc.abstractmethod
    def _last_modification_time(self) -> datetime: ...

    @abc.abstractmethod
    def _path(self) -> str: ...

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._path()!r})"
