"""The publish scope: how a lock-wrapped dump lets the storage layer ask the lock before publishing.

kart-lock knows nothing of storage. A host that does (kart-task, with kart-storage's `publish_guard`)
installs a scope factory here; `wrap_dump_with_lock` then runs the dump inside `scope(lock)`, so every
write of that dump asks the held `RedisLock` (its `check_publish` / `publish_conflict`) before it
becomes visible. Without an installed scope the dump runs as before and a lost lock is only reported
by the release that follows.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

from kart_lock._lock import RedisLock

#: builds the context manager a lock-wrapped dump runs in, from the lock it holds
PublishScope = Callable[[RedisLock], AbstractContextManager[object]]

_scope: list[PublishScope] = []  # at most one: the installed factory


def set_publish_scope(scope: PublishScope | None) -> None:
    """Install (None: remove) the scope lock-wrapped dumps run in; kart-task installs kart-storage's
    `publish_guard`. `kart_lock.reset()` keeps it, as it is the host's wiring, not state."""
    _scope[:] = [scope] if scope is not None else []


def publish_scope(lock: RedisLock) -> AbstractContextManager[object]:
    """The installed scope for `lock`, or a scope that does nothing."""
    return _scope[0](lock) if _scope else nullcontext()
