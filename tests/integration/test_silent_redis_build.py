"""A gokart build whose task lock points at a Redis that accepts connections and never answers fails,
after one wait of the configured bound (KART_LOCK_REDIS_WAIT_SECONDS), with an error naming host, port
and key among the build's raised exceptions; against a real redis-server the same build still works.

The silent server is a real TCP listener on 127.0.0.1 (tests/_silent_server.py). No wall clock is
asserted: the test checks the bound that reached the Redis client and that the server was asked once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import luigi
import pytest
import redis

import gokart
import kart_lock
import kart_task
from _servers import Server, redis_server, running
from _silent_server import SilentServer, silent_server
from gokart.build import GokartBuildError

WAIT = 0.5


class Locked(gokart.TaskOnKart[int]):
    value: int = luigi.IntParameter(default=7)

    def run(self) -> None:
        self.dump(self.value)


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    luigi.task_register.Register.clear_instance_cache()
    kart_task.reset()
    yield
    luigi.task_register.Register.clear_instance_cache()
    kart_task.reset()


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setenv("KART_LOCK_REDIS_WAIT_SECONDS", str(WAIT))
    kart_lock.reset()
    return WAIT


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    with silent_server() as server:
        yield server


@pytest.fixture(scope="module")
def redis_srv() -> Iterator[Server]:
    with running(redis_server()) as server:
        yield server


def _task(tmp_path: Path, server: Any, **extra: Any) -> Locked:
    return Locked(
        workspace_directory=str(tmp_path / "ws"), redis_host=server.host, redis_port=server.port, **extra
    )


@pytest.mark.parametrize("should_lock_run", [False, True], ids=["output_lock", "run_lock"])
def test_build_against_a_silent_redis_fails_naming_host_port_and_key(
    tmp_path: Path, silent: SilentServer, short_wait: float, should_lock_run: bool
) -> None:
    task = _task(tmp_path, silent, should_lock_run=should_lock_run)
    with pytest.raises(GokartBuildError) as info:
        gokart.build(task, reset_register=False)
    uid = task.make_unique_id()
    [raised] = info.value.raised_exceptions[uid]
    assert isinstance(raised, kart_lock.LockUnavailableError)
    assert isinstance(raised, redis.exceptions.ConnectionError)
    assert f"{silent.host}:{silent.port}" in str(raised)
    key = f"Locked_{uid}-run" if should_lock_run else f"Locked_{uid}"
    assert f"'{key}'" in str(raised)
    # The task's log files, its output and its run lock were not each waited for: Redis was asked once.
    assert silent.accepted == 1
    client = kart_lock.RedisClient(host=silent.host, port=silent.port).get_redis_client()
    kwargs = client.connection_pool.connection_kwargs
    assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"]) == (short_wait, short_wait)
    assert not task.output().exists()


def test_default_bound_is_redis_locks(monkeypatch: pytest.MonkeyPatch, silent: SilentServer) -> None:
    monkeypatch.delenv("KART_LOCK_REDIS_WAIT_SECONDS", raising=False)
    kart_lock.reset()
    client = kart_lock.RedisClient(host=silent.host, port=silent.port).get_redis_client()
    kwargs = client.connection_pool.connection_kwargs
    assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"]) == (5.0, 3.0)


@pytest.mark.parametrize("should_lock_run", [False, True], ids=["output_lock", "run_lock"])
def test_build_against_a_real_redis_still_works(
    tmp_path: Path, redis_srv: Server, short_wait: float, should_lock_run: bool
) -> None:
    task = _task(tmp_path, redis_srv, should_lock_run=should_lock_run)
    assert gokart.build(task, reset_register=False) == 7
    assert task.output().exists()
    with redis.Redis(host=redis_srv.host, port=redis_srv.port, socket_timeout=5) as client:
        assert client.keys("Locked_*") == []  # every lock released
    luigi.task_register.Register.clear_instance_cache()
    assert (
        gokart.build(_task(tmp_path, redis_srv), reset_register=False) == 7
    )  # cached, loaded under the lock
