"""kart-lock speed, on a redis-server this module starts on 127.0.0.1.

1. acquire+release of `kart_lock.RedisLock` next to redis-py's own `redis.lock.Lock` (the lock
   upstream gokart uses) on the same server and the same client. Goal: kart <= 1.2x redis-py.
2. a small pickle dump+load to a temp file, wrapped with the gokart-compatible dump/load lock
   wrappers, next to the same dump+load unlocked.

Measured (2 cores shared with other jobs, redis-py 8.1, redis-server on loopback): medians per
cycle vary with machine load by +-30 % between tests run one after another, so compare within a run.
acquire+release: redis-py Lock 231-384 us; kart RedisLock, same client, 239-424 us (0.89-1.44x over
five runs, 1.03-1.13x when the two are interleaved in one loop); the pure-Python overhead with a
no-op client is 22.5 us vs 17.7 us per cycle (+5 us, about 2 % of the two round trips).
dump+load of a small pickle: unlocked 81-148 us; redis-py Lock floor 780 us; kart's dump/load lock
wrappers 884-940 us (1.13-1.2x the floor; 6-9x unlocked: four Redis round trips per dump+load).

Run: `python3 -m hatch run pytest benchmarks/bench_lock.py -p no:randomly
--benchmark-columns=min,median,mean,ops,rounds --benchmark-group-by=group`.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import redis.lock

import kart_lock
from _servers import Server, redis_server, running

PAYLOAD = {"weights": list(range(200)), "name": "small model"}


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running(redis_server()) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: Server) -> redis.Redis:
    return redis.Redis(host=server.host, port=server.port, socket_timeout=5, socket_connect_timeout=5)


@pytest.mark.benchmark(group="acquire+release")
@pytest.mark.parametrize("kind", ["redis-py", "kart"])
def test_lock_same_client(benchmark: Any, client: redis.Redis, kind: str) -> None:
    """redis-py's Lock (what upstream gokart uses) and kart's RedisLock, on one client."""
    key = f"bench-{kind}"
    lock: redis.lock.Lock | kart_lock.RedisLock
    if kind == "kart":
        lock = kart_lock.RedisLock(key, client=client, ttl=180)
    else:
        lock = redis.lock.Lock(client, key, timeout=180, thread_local=False)

    def cycle() -> None:
        lock.acquire(blocking=False)
        lock.release()

    benchmark(cycle)
    assert client.exists(key) == 0


@pytest.mark.benchmark(group="acquire+release")
def test_kart_lock_new_object_per_cycle_pooled_client(benchmark: Any, server: Server) -> None:
    url = f"redis://{server.address}/0"

    def cycle() -> None:
        with kart_lock.RedisLock("bench-kart-url", url=url, ttl=180):
            pass

    benchmark(cycle)


def _dump(path: Path, obj: object) -> None:
    with path.open("wb") as handle:
        pickle.dump(obj, handle)


def _load(path: Path) -> object:
    with path.open("rb") as handle:
        return pickle.load(handle)


def _dump_load_cycle(
    path: Path, dump: Callable[[Path, object], Any | None], load: Callable[[Path], object]
) -> Callable[[], object]:
    def cycle() -> object:
        path.unlink(missing_ok=True)
        dump(path, PAYLOAD)
        return load(path)

    return cycle


@pytest.mark.benchmark(group="dump+load")
def test_dump_load_unlocked(benchmark: Any, tmp_path: Path) -> None:
    result = benchmark(_dump_load_cycle(tmp_path / "model.pkl", _dump, _load))
    assert result == PAYLOAD


@pytest.mark.benchmark(group="dump+load")
def test_dump_load_redis_py_lock_floor(benchmark: Any, tmp_path: Path, client: redis.Redis) -> None:
    """The same four round trips with redis-py's Lock and no renewal thread at all (upstream adds one)."""
    path = tmp_path / "model.pkl"

    def dump(target: Path, obj: object) -> None:
        with redis.lock.Lock(client, "model_floor", timeout=180, thread_local=False):
            if not target.exists():
                _dump(target, obj)

    def load(target: Path) -> object:
        with redis.lock.Lock(client, "model_floor", timeout=180, thread_local=False):
            pass
        return _load(target)

    assert benchmark(_dump_load_cycle(path, dump, load)) == PAYLOAD


@pytest.mark.benchmark(group="dump+load")
def test_dump_load_locked(benchmark: Any, tmp_path: Path, server: Server) -> None:
    path = tmp_path / "model.pkl"
    params = kart_lock.make_task_lock_params(
        str(path), "0123456789abcdef", redis_host=server.host, redis_port=server.port, redis_timeout=180
    )
    dump = kart_lock.wrap_dump_with_lock(_dump, params, path.exists)
    load = kart_lock.wrap_load_with_lock(_load, params)
    result = benchmark(_dump_load_cycle(path, dump, load))
    assert result == PAYLOAD
    kart_lock.RedisClient.reset()
