"""gokart-compatible lock parameters, key format, Redis client registry and context-manager factory.

Keys are upstream's bare `<basename without suffix>_<unique_id>` (no namespace), so a fleet mixing
upstream gokart workers and kart workers on one Redis excludes each other.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, NamedTuple, Protocol

import redis
import redis.exceptions

from kart_lock._clients import (
    clear_clients,
    describe_server,
    shared_client,
    shared_handle,
    task_lock_settings,
    task_lock_wait,
)
from kart_lock._errors import KartLockError, LockTimeoutSettingError, LockUnavailableError
from kart_lock._lock import RedisLock
from kart_lock._outages import current_outage, record_outage

logger = logging.getLogger("kart_lock")


class TaskLockParams(NamedTuple):
    """Everything a task needs to lock one of its targets (field order is upstream's)."""

    redis_host: str | None
    redis_port: int | None
    redis_timeout: int | None
    redis_key: str
    should_task_lock: bool
    raise_task_lock_exception_on_collision: bool
    lock_extend_seconds: int


class TaskLockException(KartLockError):
    """Raised when a task fails to get the lock (non-blocking acquire on a taken key). gokart's name, in
    kart-lock's error family (so still an Exception)."""


class TaskLike(Protocol):
    """The part of a TaskOnKart that the run lock reads (duck-typed: no luigi import here)."""

    redis_host: str | None
    redis_port: int | None
    redis_timeout: int | None

    def make_unique_id(self) -> str:
        """The task's unique id, part of its run-lock key."""
        ...


def make_task_lock_key(file_path: str, unique_id: str | None) -> str:
    """`<basename of file_path without its last suffix>_<unique_id>`, exactly as upstream."""
    stem = os.path.splitext(os.path.basename(file_path))[0]
    return f"{stem}_{unique_id}"


def make_task_lock_params(
    file_path: str,
    unique_id: str | None,
    redis_host: str | None = None,
    redis_port: int | None = None,
    redis_timeout: int | None = None,
    raise_task_lock_exception_on_collision: bool = False,
    lock_extend_seconds: int = 10,
) -> TaskLockParams:
    """Lock parameters of a target; the timeout check runs even when locking is off (as upstream)."""
    redis_key = make_task_lock_key(file_path, unique_id)
    should_task_lock = redis_host is not None and redis_port is not None
    if redis_timeout is not None and not redis_timeout > lock_extend_seconds:
        raise LockTimeoutSettingError(
            "`redis_timeout` must be set greater than "
            f"lock_extend_seconds:{lock_extend_seconds}, not {redis_timeout}."
        )
    return TaskLockParams(
        redis_host=redis_host,
        redis_port=redis_port,
        redis_timeout=redis_timeout,
        redis_key=redis_key,
        should_task_lock=should_task_lock,
        raise_task_lock_exception_on_collision=raise_task_lock_exception_on_collision,
        lock_extend_seconds=lock_extend_seconds,
    )


def make_task_lock_params_for_run(task_self: TaskLike, lock_extend_seconds: int = 10) -> TaskLockParams:
    """Run-lock parameters of a task: key `<ClassName>_<unique id>-run`, non-blocking."""
    pseudo_path = type(task_self).__module__.replace(".", "/") + "/" + type(task_self).__name__
    redis_key = make_task_lock_key(pseudo_path, task_self.make_unique_id() + "-run")
    redis_host = task_self.redis_host
    redis_port = task_self.redis_port
    return TaskLockParams(
        redis_host=redis_host,
        redis_port=redis_port,
        redis_timeout=task_self.redis_timeout,
        redis_key=redis_key,
        should_task_lock=redis_host is not None and redis_port is not None,
        raise_task_lock_exception_on_collision=True,
        lock_extend_seconds=lock_extend_seconds,
    )


class RedisClient:
    """One object per distinct arguments (upstream's singleton) holding the shared client of kart-lock's
    one registry (`_clients`: bounded timeouts, one retry policy, shared with `RedisLock`).

    `RedisClient.reset()` forgets every instance and client (for tests that patch `redis.Redis`); it is
    `kart_lock.reset()`.
    """

    _redis_client: redis.Redis

    def __new__(cls, *args: Any, **kwargs: Any) -> RedisClient:
        key = (args, tuple(sorted(kwargs.items())))
        return shared_handle(cls, key, lambda: super(RedisClient, cls).__new__(cls))

    def __init__(self, host: str | None, port: int | None) -> None:
        if not hasattr(self, "_redis_client"):
            # Built through the module attribute `redis.Redis` at call time: upstream tests patch it.
            self._redis_client = shared_client(task_lock_settings(host, port))

    def get_redis_client(self) -> redis.Redis:
        """The shared redis-py client for this host and port (bounded timeouts, no retry loop)."""
        return self._redis_client

    @classmethod
    def reset(cls) -> None:
        """Forget and close every pooled client (`kart_lock.reset()`)."""
        clear_clients()


def make_redis_lock(task_lock_params: TaskLockParams) -> RedisLock:
    """A (not yet acquired) RedisLock for these parameters, on the bare upstream key."""
    params = task_lock_params
    client = RedisClient(host=params.redis_host, port=params.redis_port).get_redis_client()
    ttl = task_lock_params.redis_timeout
    interval: float = task_lock_params.lock_extend_seconds
    if ttl is not None and ttl <= interval:
        # Upstream would let such a lock expire between extensions; renew often enough instead.
        interval = ttl / 3
    return RedisLock(task_lock_params.redis_key, client=client, ttl=ttl, extend_interval=interval)


def release_quietly(lock: RedisLock) -> None:
    """Release while another error is already propagating: log a failure instead of masking that error."""
    try:
        lock.release()
    except Exception:
        logger.warning("releasing lock %r failed while handling another error", lock.key, exc_info=True)


def _reply_timeout(client: redis.Redis) -> float:
    """The socket timeout the client was made with (the quiet period after it timed out)."""
    kwargs = getattr(getattr(client, "connection_pool", None), "connection_kwargs", {}) or {}
    timeout = kwargs.get("socket_timeout")
    return float(timeout) if isinstance(timeout, int | float) and timeout > 0 else task_lock_wait()


def set_task_lock(task_lock_params: TaskLockParams) -> RedisLock:
    """Acquire the lock of these parameters (blocking unless they say raise) and start renewing it.

    A server that just did not answer (see `_outages`) is not asked again during its quiet period: the
    same `LockUnavailableError` comes at once, so a build waits for a silent Redis about once, not once
    per lock."""
    lock = make_redis_lock(task_lock_params)
    server = describe_server(lock.client)
    outage = current_outage(server)
    if outage is not None:
        raise LockUnavailableError(
            f"cannot acquire lock {lock.key!r}: Redis at {server} is unreachable "
            f"(it did not answer a moment ago: {outage.reason}; not asked again for "
            f"{max(0.0, outage.until - time.monotonic()):.1f} s)"
        )
    blocking = not task_lock_params.raise_task_lock_exception_on_collision
    try:
        taken = lock.acquire(blocking=blocking)
    except LockUnavailableError as exc:
        if isinstance(exc.__cause__, redis.exceptions.TimeoutError):
            # A refused connection fails fast by itself; only a server that keeps us waiting is remembered.
            wait = _reply_timeout(lock.client)
            record_outage(server, f"no answer within {wait:g} s ({exc.__cause__})", wait)
        raise
    if not taken:
        raise TaskLockException("Lock already taken by other task.")
    return lock


class LockRenewal:
    """What `set_lock_scheduler` returns: the shared heartbeat already renews the lock."""

    def __init__(self, lock: RedisLock) -> None:
        self.lock = lock

    def shutdown(self, wait: bool = True) -> None:
        """Nothing to stop: renewal ends when the lock is released."""
        del wait


def set_lock_scheduler(task_lock: RedisLock, task_lock_params: TaskLockParams) -> LockRenewal:
    """Upstream started an APScheduler thread here; kart's heartbeat renews from acquisition on."""
    del task_lock_params
    return LockRenewal(task_lock)


def task_lock_factory(
    task_lock_params: TaskLockParams,
) -> Callable[[], AbstractContextManager[RedisLock]] | None:
    """Adapter to kart-storage's `lock=` argument: a factory of context managers, or None when off."""
    if not task_lock_params.should_task_lock:
        return None

    @contextmanager
    def hold() -> Iterator[RedisLock]:
        lock = set_task_lock(task_lock_params)
        try:
            yield lock
        except BaseException:
            release_quietly(lock)
            raise
        lock.release()

    return hold
