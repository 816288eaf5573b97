"""The one registry of Redis clients: pooled per connection settings, bounded timeouts, no silent retries.

One `redis.Redis` (and so one connection pool) per distinct settings tuple, shared by every lock in
the process, whether made by `RedisLock` or by the gokart-compatible `RedisClient` (whose per-argument
singletons are kept here too, so `clear_clients` forgets everything at once). redis-py's pools already
rebuild their connections in a forked child (they check the pid); we only have to make sure our own
registry lock is not inherited in a held state.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple, TypeVar, cast

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from kart_lock._errors import LockConfigurationError
from kart_lock._outages import forget_outages

#: seconds to wait for a TCP connection to Redis before giving up
DEFAULT_CONNECT_TIMEOUT = 3.0
#: seconds to wait for a reply to one command (bounds a half-open or stuck server)
DEFAULT_SOCKET_TIMEOUT = 5.0
#: environment variable: the gokart task lock's bound on a Redis that does not answer, in seconds
#: (its socket timeout; its connect timeout is the smaller of this and DEFAULT_CONNECT_TIMEOUT)
TASK_LOCK_WAIT_ENV = "KART_LOCK_REDIS_WAIT_SECONDS"


class ConnectionSettings(NamedTuple):
    url: str | None
    host: str | None
    port: int | None
    db: int | None
    password: str | None
    connect_timeout: float | None
    socket_timeout: float | None


def task_lock_wait() -> float:
    """Seconds the task lock waits for Redis: `KART_LOCK_REDIS_WAIT_SECONDS`, else RedisLock's default
    socket timeout (read when a client is made, so `kart_lock.reset()` makes a change apply)."""
    raw = os.environ.get(TASK_LOCK_WAIT_ENV, "").strip()
    if not raw:
        return DEFAULT_SOCKET_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise LockConfigurationError(
            f"{TASK_LOCK_WAIT_ENV} must be a positive number of seconds, not {raw!r}"
        )
    return seconds


def task_lock_settings(host: str | None, port: int | None) -> ConnectionSettings:
    """Connection settings of the gokart task lock: the same timeouts and retry policy as `RedisLock`,
    the socket timeout being `task_lock_wait()`."""
    wait = task_lock_wait()
    return ConnectionSettings(
        url=None,
        host=host or "localhost",
        port=port or 6379,
        db=None,
        password=None,
        connect_timeout=min(DEFAULT_CONNECT_TIMEOUT, wait),
        socket_timeout=wait,
    )


_clients: dict[ConnectionSettings, redis.Redis] = {}
#: objects that stand for a client under other arguments (upstream's `RedisClient` singletons)
_handles: dict[tuple[type, Hashable], object] = {}
_clients_guard = threading.Lock()

_Handle = TypeVar("_Handle")


def _make_client(settings: ConnectionSettings) -> redis.Redis:
    # Always through the module attribute, so tests that patch `redis.Redis` (as upstream's do) apply.
    options: dict[str, Any] = {
        "socket_connect_timeout": settings.connect_timeout,
        "socket_timeout": settings.socket_timeout,
        # One attempt per command: a retry loop would multiply the bound on an outage.
        "retry": Retry(NoBackoff(), 0),
    }
    if settings.password is not None:
        options["password"] = settings.password
    if settings.url is not None:
        if settings.db is not None:
            options["db"] = settings.db
        return redis.Redis.from_url(settings.url, **options)
    return redis.Redis(
        host=settings.host or "localhost",
        port=settings.port or 6379,
        db=settings.db or 0,
        **options,
    )


def shared_client(settings: ConnectionSettings) -> redis.Redis:
    """The process-wide client for these settings, made on first use."""
    client = _clients.get(settings)
    if client is not None:
        return client
    with _clients_guard:
        client = _clients.get(settings)
        if client is None:
            client = _make_client(settings)
            _clients[settings] = client
        return client


def shared_handle(kind: type[_Handle], key: Hashable, make: Callable[[], _Handle]) -> _Handle:
    """The process-wide object of `kind` for `key`, made by `make()` on first use (under the registry's
    lock, so two threads never make two)."""
    with _clients_guard:
        handle = _handles.get((kind, key))
        if handle is None:
            handle = _handles[(kind, key)] = make()
        return cast(_Handle, handle)


def clear_clients() -> None:
    """Forget every pooled client and handle, closing the clients' connections, and every remembered
    outage (tests that patch `redis.Redis`, a changed server, `kart_lock.reset()`). Locks made earlier
    keep their client object, which reconnects on its next command; new locks get new clients."""
    forget_outages()
    with _clients_guard:
        clients = list(_clients.values())
        _clients.clear()
        _handles.clear()
    for client in clients:
        close = getattr(client, "close", None)  # a patched `redis.Redis` stand-in may have none
        if close is None:
            continue
        try:
            close()
        except Exception:  # closing is best effort: a broken connection is as good as a closed one
            continue


def describe_server(client: redis.Redis) -> str:
    """`host:port` (or the socket path) of a client, for error messages."""
    kwargs = getattr(getattr(client, "connection_pool", None), "connection_kwargs", {}) or {}
    if "path" in kwargs:
        return f"unix socket {kwargs['path']}"
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"


def _after_fork_in_child() -> None:
    global _clients_guard
    _clients_guard = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)
