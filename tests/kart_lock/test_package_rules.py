"""kart-lock's package rules: one error family, one Redis client registry that reset() clears.

The source rules (no `assert`, no import cycle) are in test_module_graph.py."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
import redis

import kart_lock
from kart_lock import _clients


def _exported_exceptions() -> list[type[BaseException]]:
    found = [getattr(kart_lock, name) for name in kart_lock.__all__]
    return [obj for obj in found if inspect.isclass(obj) and issubclass(obj, BaseException)]


def test_every_exported_exception_derives_from_kart_lock_error() -> None:
    exported = _exported_exceptions()
    assert kart_lock.TaskLockException in exported
    assert [cls.__name__ for cls in exported if not issubclass(cls, kart_lock.KartLockError)] == []


def test_errors_keep_the_standard_types_they_stand_for() -> None:
    assert issubclass(kart_lock.TaskLockException, Exception)
    assert kart_lock.TaskLockException.__module__ == "kart_lock._task_lock"
    assert issubclass(kart_lock.LockConfigurationError, ValueError)
    assert issubclass(kart_lock.LockTimeoutSettingError, AssertionError)
    assert issubclass(kart_lock.LockUnavailableError, redis.exceptions.ConnectionError)
    with pytest.raises(ValueError, match="non-empty name"):
        kart_lock.RedisLock("", host="127.0.0.1", port=1)
    with pytest.raises(AssertionError, match="redis_timeout"):
        kart_lock.make_task_lock_params("a.pkl", "U", redis_timeout=5, lock_extend_seconds=10)


def test_gokart_clients_and_locks_share_one_registry_and_one_retry_policy() -> None:
    client = kart_lock.RedisClient(host="127.0.0.1", port=1).get_redis_client()
    lock = kart_lock.RedisLock("shared", host="127.0.0.1", port=1)
    assert lock.client is client
    retry = client.get_connection_kwargs()["retry"]
    assert retry.get_retries() == 0


def test_reset_forgets_clients_and_singletons_and_closes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[int] = []

    class Recorder:
        def __init__(self, **kwargs: Any) -> None:
            self.kwargs = kwargs

        def close(self) -> None:
            closed.append(id(self))

    handle = kart_lock.RedisClient(host="127.0.0.1", port=2)
    real = handle.get_redis_client()
    monkeypatch.setattr(redis, "Redis", Recorder)
    assert kart_lock.RedisClient(host="127.0.0.1", port=2).get_redis_client() is real  # kept until reset
    kart_lock.reset()
    assert _clients._clients == {}
    assert _clients._handles == {}
    patched = kart_lock.RedisClient(host="127.0.0.1", port=2)
    assert patched is not handle
    assert isinstance(
        patched.get_redis_client(), Recorder
    )  # built through the patch, as upstream's tests need
    kart_lock.reset()
    assert closed == [id(patched.get_redis_client())]
