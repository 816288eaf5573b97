"""`reset()`: forget kart-lock's per-process Redis clients."""

from __future__ import annotations

from kart_lock._clients import clear_clients


def reset() -> None:
    """Forget every Redis client kart-lock pooled in this process, closing their connections, and the
    `RedisClient` singletons: the next lock builds a new client (through `redis.Redis` as it is then,
    so a test's patch applies). Locks already held keep their client and keep being renewed by the
    heartbeat; nothing is released. Same as `clear_clients()` and `RedisClient.reset()`.
    """
    clear_clients()
