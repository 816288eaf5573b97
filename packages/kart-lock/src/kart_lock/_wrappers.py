"""gokart's four lock wrappers, with upstream's names, signatures and key strings.

Differences from upstream, all in the failure paths: one shared heartbeat instead of a scheduler
thread per call; nothing leaks when a release fails; a failing release never masks the error of the
wrapped function; and a lock lost while held is reported as `LockLostError` (a subclass of redis-py's
`LockNotOwnedError`, which upstream raised in the same situation); and a dump whose lock was lost
before its output became visible is abandoned (when a publish scope is installed, see `_publish`)
instead of replacing the new holder's output.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from kart_lock._publish import publish_scope
from kart_lock._task_lock import TaskLockParams, release_quietly, set_task_lock

logger = logging.getLogger("kart_lock")

R = TypeVar("R")


def wrap_dump_with_lock(
    func: Callable[..., R], task_lock_params: TaskLockParams, exist_check: Callable[[], bool]
) -> Callable[..., R | None]:
    """Dump under the lock, skipping (returning None) when the target appeared while we waited.

    The dump runs in the installed publish scope (see `set_publish_scope`), so a lock lost while it
    writes stops the write before it replaces another holder's output."""
    if not task_lock_params.should_task_lock:
        return func

    def wrapper(*args: Any, **kwargs: Any) -> R | None:
        lock = set_task_lock(task_lock_params)
        logger.debug("Task DUMP lock of %s locked.", task_lock_params.redis_key)
        try:
            if exist_check():
                result = None
            else:
                with publish_scope(lock):
                    result = func(*args, **kwargs)
        except BaseException:
            release_quietly(lock)
            raise
        lock.release()
        logger.debug("Task DUMP lock of %s released.", task_lock_params.redis_key)
        return result

    return wrapper


def wrap_load_with_lock(func: Callable[..., R], task_lock_params: TaskLockParams) -> Callable[..., R]:
    """Wait until no writer holds the key, then load (the load itself runs unlocked, as upstream)."""
    if not task_lock_params.should_task_lock:
        return func

    def wrapper(*args: Any, **kwargs: Any) -> R:
        lock = set_task_lock(task_lock_params)
        logger.debug("Task LOAD lock of %s locked.", task_lock_params.redis_key)
        lock.release()
        logger.debug("Task LOAD lock of %s released.", task_lock_params.redis_key)
        return func(*args, **kwargs)

    return wrapper


def _run_locked(func: Callable[..., R], params: TaskLockParams, kind: str, *args: Any, **kwargs: Any) -> R:
    lock = set_task_lock(params)
    logger.debug("Task %s lock of %s locked.", kind, params.redis_key)
    try:
        result = func(*args, **kwargs)
    except BaseException:
        release_quietly(lock)
        raise
    lock.release()
    logger.debug("Task %s lock of %s released.", kind, params.redis_key)
    return result


def wrap_remove_with_lock(func: Callable[..., R], task_lock_params: TaskLockParams) -> Callable[..., R]:
    """Remove under the lock."""
    if not task_lock_params.should_task_lock:
        return func

    def wrapper(*args: Any, **kwargs: Any) -> R:
        return _run_locked(func, task_lock_params, "REMOVE", *args, **kwargs)

    return wrapper


def wrap_run_with_lock(run_func: Callable[..., R], task_lock_params: TaskLockParams) -> Callable[..., R]:
    """Run under the run lock (always locks, like upstream; non-blocking with run-lock params)."""

    @functools.wraps(run_func)
    def wrapped_run(*args: Any, **kwargs: Any) -> R:
        return _run_locked(run_func, task_lock_params, "RUN", *args, **kwargs)

    return wrapped_run
