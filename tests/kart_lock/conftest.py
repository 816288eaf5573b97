"""A real redis-server for kart-lock's tests, started on 127.0.0.1 and a free port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

import kart_lock
from _servers import Server, redis_server, running


@pytest.fixture(scope="session")
def redis_srv() -> Iterator[Server]:
    """One redis-server for the session; a missing binary fails with what to install."""
    with running(redis_server()) as server:
        yield server


@pytest.fixture
def redis_url(redis_srv: Server) -> str:
    return f"redis://{redis_srv.address}/0"


@pytest.fixture
def rconn(redis_srv: Server) -> Iterator[redis.Redis]:
    """A plain client on the session server, with an empty db 0."""
    client = redis.Redis(host=redis_srv.host, port=redis_srv.port, socket_timeout=5)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def own_redis() -> Iterator[Server]:
    """A redis-server of this test alone (for restarts)."""
    with running(redis_server()) as server:
        yield server


@pytest.fixture(autouse=True)
def _reset_kart_lock() -> Iterator[None]:
    """No pooled client (nor a client built through a test's patched `redis.Redis`) reaches the next
    test: kart_lock.reset() after each one."""
    yield
    kart_lock.reset()
