"""gokart's experimental in-memory targets: objects kept in a process-wide dict, never serialised."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from ._errors import (
    MissingCacheEntryError,
    MissingInMemoryDataError,
    StorageArgumentError,
    TargetNotFoundError,
)
from ._targets import TargetOnKart, TaskParams


@dataclass
class InMemoryData:
    value: Any
    last_modification_time: datetime

    @classmethod
    def create_data(cls, value: Any) -> InMemoryData:
        """Wrap `value`, stamped with the current UTC time as its modification time."""
        return cls(value=value, last_modification_time=datetime.now(UTC))


class InMemoryCacheRepository:
    """Every instance shares one class-level store, as upstream."""

    _cache: ClassVar[dict[str, InMemoryData]] = {}
    _guard: ClassVar[threading.Lock] = threading.Lock()

    def get_value(self, key: str) -> Any:
        """The value stored under `key` (KeyError when missing)."""
        return self._cache[key].value

    def get_last_modification_time(self, key: str) -> datetime:
        """When `key` was last set, as an aware UTC datetime."""
        return self._cache[key].last_modification_time

    def set_value(self, key: str, obj: Any) -> None:
        """Store `obj` under `key`, replacing what was there."""
        with self._guard:
            self._cache[key] = InMemoryData.create_data(obj)

    def has(self, key: str) -> bool:
        """Whether a value is stored under `key`."""
        return key in self._cache

    def remove(self, key: str) -> None:
        """Forget `key`; MissingCacheEntryError when it is not there."""
        with self._guard:
            if key not in self._cache:
                raise MissingCacheEntryError(f"{key} does not exist.")
            del self._cache[key]

    def empty(self) -> bool:
        """Whether nothing is stored."""
        return not self._cache

    def clear(self) -> None:
        """Forget every stored value (tests call it between cases)."""
        with self._guard:
            self._cache.clear()

    def get_gen(self) -> Iterator[tuple[str, Any]]:
        """Every `(key, value)` pair, from a snapshot (safe while others write)."""
        for key, data in list(self._cache.items()):
            yield key, data.value

    @property
    def size(self) -> int:
        """How many values are stored."""
        return len(self._cache)


_repository = InMemoryCacheRepository()


class InMemoryTarget(TargetOnKart):
    """The stored object itself is returned by load() (no copy, as upstream)."""

    def __init__(self, data_key: str, task_lock_param: Any = None) -> None:
        if getattr(task_lock_param, "should_task_lock", False):
            raise StorageArgumentError("Redis with `InMemoryTarget` is not currently supported.")
        super().__init__(None)
        self._data_key = data_key

    def _exists(self) -> bool:
        return _repository.has(self._data_key)

    def _load(self) -> Any:
        try:
            return _repository.get_value(self._data_key)
        except KeyError:
            raise TargetNotFoundError(self._data_key) from None

    def _dump(
        self,
        obj: Any,
        task_params: TaskParams = None,
        custom_labels: Mapping[str, Any] | None = None,
        required_task_outputs: Any = None,
    ) -> None:
        _repository.set_value(self._data_key, obj)

    def _remove(self) -> None:
        if _repository.has(self._data_key):
            _repository.remove(self._data_key)

    def _last_modification_time(self) -> datetime:
        if not _repository.has(self._data_key):
            raise MissingInMemoryDataError(f"No object(s) which id is {self._data_key} are stored before.")
        return _repository.get_last_modification_time(self._data_key)

    def _path(self) -> str:
        return self._data_key


def make_in_memory_target(target_key: str, task_lock_params: Any = None) -> InMemoryTarget:
    """A target kept in this process's memory under `target_key` (gokart's in-memory target)."""
    return InMemoryTarget(target_key, task_lock_params)
