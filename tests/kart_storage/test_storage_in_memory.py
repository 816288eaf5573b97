"""gokart's in-memory targets (storage.md §8)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from kart_storage import InMemoryCacheRepository, InMemoryTarget, make_in_memory_target


def test_in_memory_target_round_trip_shares_the_object() -> None:
    key = f"k-{uuid.uuid4().hex}"
    target = make_in_memory_target(key)
    assert not target.exists()
    value = {"a": [1]}
    target.dump(value)
    assert target.load() is value
    assert target.path() == key
    moment = target.last_modification_time()
    assert abs(moment - datetime.now(UTC)) < timedelta(seconds=5)
    assert InMemoryCacheRepository().has(key)
    target.remove()
    assert not target.exists()
    with pytest.raises(ValueError, match="are stored before"):
        target.last_modification_time()


def test_repository_is_shared_and_remove_asserts_presence() -> None:
    assert InMemoryCacheRepository()._cache is InMemoryCacheRepository._cache
    repository = InMemoryCacheRepository()
    key = f"k-{uuid.uuid4().hex}"
    repository.set_value(key, 3)
    assert repository.get_value(key) == 3
    assert (key, 3) in list(repository.get_gen())
    repository.remove(key)
    with pytest.raises(AssertionError, match="does not exist"):
        repository.remove(key)


def test_in_memory_target_refuses_redis_locks() -> None:
    with pytest.raises(ValueError, match="not currently supported"):
        InMemoryTarget("k", SimpleNamespace(should_task_lock=True))
