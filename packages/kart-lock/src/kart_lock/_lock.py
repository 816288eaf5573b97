"""`RedisLock`: an exclusive Redis lock kept alive by the shared heartbeat.

Wire format is redis-py's `redis.lock.Lock`, which upstream gokart uses: the key holds a
`uuid1().hex` token set with `SET NX PX`; extension re-sets the TTL and release deletes the key, both
only if the token is still ours (checked atomically in Lua). So kart workers and upstream workers
exclude each other on the same keys.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from types import TracebackType

import redis
import redis.exceptions

from kart_lock._clients import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_SOCKET_TIMEOUT,
    ConnectionSettings,
    describe_server,
    shared_client,
)
from kart_lock._errors import (
    KartLockError,
    LockConfigurationError,
    LockLostError,
    LockNotAcquiredError,
    LockUnavailableError,
)
from kart_lock._heartbeat import heartbeat

logger = logging.getLogger("kart_lock")

# KEYS[1] = lock key, ARGV[1] = our token, ARGV[2] = new TTL in milliseconds
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
# KEYS[1] = lock key, ARGV[1] = our token
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""
_CONNECTION_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
#: how soon the heartbeat tries again after Redis did not answer
_RETRY_AFTER_ERROR = 0.5


class RedisLock:
    """An exclusive lock on one Redis key, extended in the background while held.

    Give it an existing client, a URL (``redis://``, ``rediss://``, with password and db) or host
    and port; clients made from settings are shared per process. ``ttl`` (seconds, or None for a key
    that never expires) is re-applied every ``extend_interval`` seconds while the lock is held, so a
    crashed holder frees the key after at most ``ttl``. ``namespace`` prefixes the key
    (``<namespace>:<name>``) so unrelated applications on one Redis do not collide.
    """

    def __init__(
        self,
        name: str,
        *,
        client: redis.Redis | None = None,
        url: str | None = None,
        host: str | None = None,
        port: int | None = None,
        db: int | None = None,
        password: str | None = None,
        ttl: float | None = 180,
        extend_interval: float = 10,
        namespace: str | None = None,
        connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT,
        socket_timeout: float | None = DEFAULT_SOCKET_TIMEOUT,
        blocking_timeout: float | None = None,
        sleep: float = 0.1,
    ) -> None:
        if not name:
            raise LockConfigurationError("RedisLock needs a non-empty name")
        if extend_interval <= 0:
            raise LockConfigurationError(f"extend_interval must be positive, not {extend_interval}")
        if ttl is not None and ttl <= extend_interval:
            raise LockConfigurationError(
                f"ttl must be greater than extend_interval ({extend_interval}), not {ttl}: "
                f"lock {name!r} would expire before its first extension"
            )
        if client is not None and (url is not None or host is not None or port is not None):
            raise LockConfigurationError("give RedisLock either client= or url=/host=/port=, not both")
        if url is not None and (host is not None or port is not None):
            raise LockConfigurationError("give RedisLock either url= or host=/port=, not both")
        self.name = name
        self.key = f"{namespace}:{name}" if namespace else name
        self.ttl = ttl
        self.extend_interval = extend_interval
        self.blocking_timeout = blocking_timeout
        self.sleep = sleep
        if client is None:
            settings = ConnectionSettings(url, host, port, db, password, connect_timeout, socket_timeout)
            client = shared_client(settings)
        self.client = client
        # EVALSHA of pre-hashed scripts, as redis-py's Lock does (loaded on first NOSCRIPT).
        self._extend_script = client.register_script(_EXTEND)
        self._release_script = client.register_script(_RELEASE)
        self._ttl_ms = None if ttl is None else max(1, int(ttl * 1000))
        self._guard = threading.Lock()
        self._token: bytes | None = None
        self._owner_pid = 0
        self._lost = False
        self._valid_until = 0.0

    # -- state ------------------------------------------------------------------------------------
    @property
    def held(self) -> bool:
        """Whether this object acquired the lock and has not released it (even if it was lost)."""
        return self._token is not None

    @property
    def lost(self) -> bool:
        """Whether ownership was lost while held (expired, taken over, or Redis restarted).

        Also true once a whole TTL has passed since the last confirmed renewal (the process was
        paused, or Redis did not answer): the key has expired even if no renewal has failed yet.
        """
        if self._lost:
            return True
        return self._token is not None and self.ttl is not None and time.monotonic() > self._valid_until

    @property
    def token(self) -> bytes | None:
        """The value stored under the key while we hold it (redis-py's token format)."""
        return self._token

    def __repr__(self) -> str:
        state = "lost" if self._lost else ("held" if self.held else "free")
        return f"RedisLock({self.key!r}, {state}, server={describe_server(self.client)})"

    # -- acquire / release ------------------------------------------------------------------------
    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        """Take the lock; False when non-blocking and taken, or when `timeout` seconds passed."""
        if self._token is not None:
            raise KartLockError(f"lock {self.key!r} is already held by this object")
        token = uuid.uuid1().hex.encode()
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            started = time.monotonic()
            try:
                taken = self.client.set(self.key, token, nx=True, px=self._ttl_ms)
            except _CONNECTION_ERRORS as exc:
                raise self._unavailable("acquire", exc) from exc
            if taken:
                break
            if not blocking or (deadline is not None and time.monotonic() >= deadline):
                return False
            pause = self.sleep if deadline is None else min(self.sleep, max(0.0, deadline - time.monotonic()))
            time.sleep(pause)
        with self._guard:
            self._token = token
            self._owner_pid = os.getpid()
            self._lost = False
            if self.ttl is not None:
                self._valid_until = started + self.ttl
        if self.ttl is not None:
            heartbeat().add(self, self.extend_interval)
        return True

    def release(self) -> None:
        """Give the lock back; raises LockLostError if it was lost while held."""
        if self._token is not None and self._owner_pid != os.getpid():
            # Checked before taking the guard: a forked child may inherit it held by the parent's heartbeat.
            raise KartLockError(
                f"lock {self.key!r} was acquired by process {self._owner_pid}; only it can release it"
            )
        with self._guard:
            token = self._token
            if token is None:
                raise KartLockError(f"lock {self.key!r} is not held, so it cannot be released")
            was_lost = self.lost
            self._token = None
        heartbeat().discard(self)
        try:
            deleted = self._release_script(keys=[self.key], args=[token], client=self.client)
        except _CONNECTION_ERRORS as exc:
            if not was_lost:
                raise self._unavailable("release", exc) from exc
            # Already known to be lost: that is the news; the unreachable server is secondary.
            raise self._lost_error() from exc
        if was_lost or not deleted:
            raise self._lost_error()

    # -- publish guard (kart-storage's PublishGuard protocol, duck-typed) ------------------------------
    def check_publish(self, path: str) -> None:
        """Refuse to publish `path` unless the lock is still ours (a local check: no Redis round trip).

        Called by kart-storage's backends immediately before a write becomes visible."""
        if self._token is None:
            raise LockLostError(f"lock {self.key!r} is not held, so {path} must not be published under it")
        if self.lost:
            self._lost = True
            raise LockLostError(
                f"lock {self.key!r} on {describe_server(self.client)} was lost before {path} was "
                "published (expired, taken by another holder, or Redis restarted): the write was "
                "abandoned so it cannot replace the new holder's output"
            )

    def publish_conflict(self, path: str) -> LockLostError:
        """The error for a conditional publish of `path` the store refused: another writer changed the
        object after this holder began writing, so the lock was not exclusive (it counts as lost)."""
        self._lost = True
        return LockLostError(
            f"lock {self.key!r} on {describe_server(self.client)} was not exclusive: {path} changed "
            "after this holder began writing it, so the store refused the write and the other "
            "writer's object was kept"
        )

    def _lost_error(self) -> LockLostError:
        self._lost = True
        return LockLostError(
            f"lock {self.key!r} on {describe_server(self.client)} was lost while held "
            "(expired, taken by another holder, or Redis restarted): the section it guarded "
            "may not have been exclusive"
        )

    def _renew(self) -> float | None:
        """One extension by the heartbeat thread; see Heartbeat."""
        with self._guard:
            token = self._token
            if token is None or self._lost or self._owner_pid != os.getpid():
                return None
            ttl, ttl_ms = self.ttl, self._ttl_ms
            if ttl is None or ttl_ms is None:
                return None  # a key without a TTL never expires: nothing to renew
            started = time.monotonic()
            try:
                extended = self._extend_script(keys=[self.key], args=[token, ttl_ms], client=self.client)
            except Exception as exc:
                if time.monotonic() < self._valid_until:
                    logger.warning("could not extend lock %r (%s); retrying", self.key, exc)
                    return min(_RETRY_AFTER_ERROR, self.extend_interval)
                # Log before publishing `lost`: whoever sees the flag can also find the reason.
                logger.warning(
                    "lock %r on %s is presumed lost: Redis did not answer before its TTL ran out (%s)",
                    self.key,
                    describe_server(self.client),
                    exc,
                )
                self._lost = True
                return None
            if not extended:
                logger.warning(
                    "lock %r on %s was lost while held: the key expired or belongs to another holder",
                    self.key,
                    describe_server(self.client),
                )
                self._lost = True
                return None
            self._valid_until = started + ttl
            return self.extend_interval

    def _unavailable(self, action: str, exc: Exception) -> LockUnavailableError:
        if isinstance(exc, redis.exceptions.AuthenticationError):
            return LockUnavailableError(
                f"cannot {action} lock {self.key!r}: "
                f"Redis at {describe_server(self.client)} rejected the credentials ({exc})"
            )
        return LockUnavailableError(
            f"cannot {action} lock {self.key!r}: "
            f"Redis at {describe_server(self.client)} is unreachable ({exc})"
        )

    # -- context manager --------------------------------------------------------------------------
    def __enter__(self) -> RedisLock:
        if not self.acquire(blocking=True, timeout=self.blocking_timeout):
            raise LockNotAcquiredError(
                f"lock {self.key!r} on {describe_server(self.client)} was not free within "
                f"{self.blocking_timeout} s"
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.release()
        except KartLockError:
            if exc is None:
                raise
            # The body already failed: keep its error as the one the caller sees, and log ours.
            logger.warning("while handling %r, releasing lock %r failed too", exc, self.key, exc_info=True)
