"""Exceptions of kart-lock.

They also derive from redis-py's own exceptions, so code written against upstream gokart (which let
`redis.exceptions.ConnectionError` and `LockNotOwnedError` escape) keeps catching them.
"""

from __future__ import annotations

import redis.exceptions


class KartLockError(Exception):
    """Base class of every error raised by kart-lock itself."""


class LockUnavailableError(KartLockError, redis.exceptions.ConnectionError):
    """Redis could not be reached (refused, timed out, DNS...); the message names host and port."""


class LockLostError(KartLockError, redis.exceptions.LockNotOwnedError):
    """The lock expired or was taken by someone else while we believed we held it.

    Raised by `release()` so the caller learns that its "exclusive" section was not exclusive.
    """


class LockConfigurationError(KartLockError, ValueError):
    """A lock was given arguments it cannot work with (empty name, TTL not above the renewal interval,
    both a client and a URL...); a ValueError too."""


class LockTimeoutSettingError(KartLockError, AssertionError):
    """`redis_timeout` is not greater than `lock_extend_seconds` in gokart's lock parameters; an
    AssertionError too, as gokart raised one."""


class LockNotAcquiredError(KartLockError):
    """A `with RedisLock(...)` block could not get the lock (non-blocking, or the wait timed out)."""
