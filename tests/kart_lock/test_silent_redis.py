"""A Redis that accepts connections and never answers: every call of the gokart task-lock path gives up
after the configured wait, names host, port and key, and a server that just did not answer is not asked
again during its quiet period (so a build waits about once, not once per lock).

The silent server is real (a TCP listener on 127.0.0.1, tests/_silent_server.py); the waits are the
client's own timeouts, set small here through KART_LOCK_REDIS_WAIT_SECONDS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis.exceptions

import kart_lock
from _servers import Server
from _silent_server import SilentServer, silent_server

WAIT = 0.3  # seconds: small, so each test stays fast; the value itself is what the tests check


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    with silent_server() as server:
        yield server


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setenv("KART_LOCK_REDIS_WAIT_SECONDS", str(WAIT))
    kart_lock.reset()  # clients read the wait when they are made
    return WAIT


def _params(server: Any, name: str = "ws/out/data.pkl", uid: str = "U1") -> kart_lock.TaskLockParams:
    return kart_lock.make_task_lock_params(name, uid, redis_host=server.host, redis_port=server.port)


def _connection_kwargs(server: Any) -> dict[str, Any]:
    client = kart_lock.RedisClient(host=server.host, port=server.port).get_redis_client()
    return dict(client.connection_pool.connection_kwargs)


def test_task_lock_client_has_redis_locks_default_timeouts(silent: SilentServer) -> None:
    kwargs = _connection_kwargs(silent)
    assert kwargs["socket_timeout"] == 5.0
    assert kwargs["socket_connect_timeout"] == 3.0
    lock = kart_lock.RedisLock("k", host=silent.host, port=silent.port)
    own = lock.client.connection_pool.connection_kwargs
    assert (own["socket_timeout"], own["socket_connect_timeout"]) == (5.0, 3.0)


def test_configured_wait_reaches_the_client(silent: SilentServer, short_wait: float) -> None:
    kwargs = _connection_kwargs(silent)
    assert kwargs["socket_timeout"] == short_wait
    assert kwargs["socket_connect_timeout"] == short_wait  # never above the wait itself
    lock = kart_lock.make_redis_lock(_params(silent))
    assert lock.client.connection_pool.connection_kwargs["socket_timeout"] == short_wait


@pytest.mark.parametrize("raw", ["soon", "0", "-1", "nan", "inf"])
def test_a_wrong_wait_names_the_variable(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("KART_LOCK_REDIS_WAIT_SECONDS", raw)
    with pytest.raises(kart_lock.LockConfigurationError, match="KART_LOCK_REDIS_WAIT_SECONDS") as info:
        kart_lock.RedisClient(host="127.0.0.1", port=1)
    assert repr(raw) in str(info.value)


def test_set_task_lock_gives_up_naming_host_port_and_key(silent: SilentServer, short_wait: float) -> None:
    with pytest.raises(kart_lock.LockUnavailableError) as info:
        kart_lock.set_task_lock(_params(silent))
    message = str(info.value)
    assert f"{silent.host}:{silent.port}" in message
    assert "'data_U1'" in message
    assert isinstance(info.value.__cause__, redis.exceptions.TimeoutError)
    assert isinstance(info.value, redis.exceptions.ConnectionError)  # what gokart code catches
    assert silent.accepted == 1


def _dump(params: kart_lock.TaskLockParams) -> Any:
    return kart_lock.wrap_dump_with_lock(lambda: "dumped", params, exist_check=lambda: False)()


def _load(params: kart_lock.TaskLockParams) -> Any:
    return kart_lock.wrap_load_with_lock(lambda: "loaded", params)()


def _remove(params: kart_lock.TaskLockParams) -> Any:
    return kart_lock.wrap_remove_with_lock(lambda: "removed", params)()


def _run(params: kart_lock.TaskLockParams) -> Any:
    return kart_lock.wrap_run_with_lock(lambda: "ran", params)()


def _factory(params: kart_lock.TaskLockParams) -> Any:
    factory = kart_lock.task_lock_factory(params)
    assert factory is not None
    with factory():
        return "held"


@pytest.mark.parametrize("call", [_dump, _load, _remove, _run, _factory])
def test_every_wrapper_gives_up_naming_the_key(
    silent: SilentServer, short_wait: float, call: Callable[[kart_lock.TaskLockParams], Any]
) -> None:
    with pytest.raises(kart_lock.LockUnavailableError, match=rf"'data_U1'.*{silent.port}"):
        call(_params(silent))


def test_a_silent_server_is_not_asked_again_during_its_quiet_period(
    silent: SilentServer, short_wait: float
) -> None:
    with pytest.raises(kart_lock.LockUnavailableError):
        _dump(_params(silent, uid="first"))
    assert silent.accepted == 1
    # The log files, the output and the run lock of a task: each fails at once, without a new wait.
    for uid, call in [("second", _dump), ("third", _load), ("fourth", _run)]:
        with pytest.raises(kart_lock.LockUnavailableError) as info:
            call(_params(silent, uid=uid))
        assert f"'data_{uid}'" in str(info.value)
        assert f"{silent.host}:{silent.port}" in str(info.value)
        assert "did not answer a moment ago" in str(info.value)
        assert f"no answer within {short_wait:g} s" in str(info.value)
    assert silent.accepted == 1


def test_reset_forgets_the_outage(silent: SilentServer, short_wait: float) -> None:
    with pytest.raises(kart_lock.LockUnavailableError):
        kart_lock.set_task_lock(_params(silent))
    kart_lock.reset()
    with pytest.raises(kart_lock.LockUnavailableError) as info:
        kart_lock.set_task_lock(_params(silent))
    assert "moment ago" not in str(info.value)
    assert silent.accepted == 2


def test_a_refused_connection_is_not_remembered(short_wait: float) -> None:
    with silent_server() as gone:
        host, port = gone.host, gone.port
    params = kart_lock.make_task_lock_params("a.pkl", "U", redis_host=host, redis_port=port)
    for _ in range(2):
        with pytest.raises(kart_lock.LockUnavailableError) as info:
            kart_lock.set_task_lock(params)
        assert "moment ago" not in str(info.value)


def test_real_redis_still_locks_with_the_short_wait(
    silent: SilentServer, short_wait: float, redis_srv: Server, rconn: redis.Redis
) -> None:
    with pytest.raises(kart_lock.LockUnavailableError):
        kart_lock.set_task_lock(_params(silent))  # an outage elsewhere does not concern this server
    params = _params(redis_srv)
    assert _connection_kwargs(redis_srv)["socket_timeout"] == short_wait
    lock = kart_lock.set_task_lock(params)
    assert rconn.get("data_U1") == lock.token
    lock.release()
    assert rconn.get("data_U1") is None
    seen: list[object] = []

    def dump() -> str:
        seen.append(rconn.get("data_U1"))
        return "ok"

    result = kart_lock.wrap_dump_with_lock(dump, params, lambda: False)()
    assert result == "ok"
    assert seen[0] is not None  # held during the dump
    assert rconn.get("data_U1") is None
    assert _run(params) == "ran"
