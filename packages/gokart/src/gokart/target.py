"""gokart.target: targets with gokart's signatures (lock parameters, not kart-storage's lock factory)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import kart_storage
from kart_lock import (
    TaskLockParams,
    make_task_lock_params,
    task_lock_factory,
    wrap_dump_with_lock,
    wrap_load_with_lock,
    wrap_remove_with_lock,
)
from kart_storage import (
    FileProcessor,
    LargeDataFrameProcessor,
    ModelTarget,
    SingleFileTarget,
    TargetOnKart,
    make_file_processor,
)


def _lock(task_lock_params: TaskLockParams | None) -> kart_storage.LockFactory | None:
    return task_lock_factory(task_lock_params) if task_lock_params is not None else None


def make_target(
    file_path: str,
    unique_id: str | None = None,
    processor: FileProcessor | None = None,
    task_lock_params: TaskLockParams | None = None,
    store_index_in_feather: bool = True,
) -> TargetOnKart:
    return kart_storage.make_target(
        file_path,
        unique_id,
        processor,
        lock=_lock(task_lock_params),
        store_index_in_feather=store_index_in_feather,
    )


def make_model_target(
    file_path: str,
    temporary_directory: str,
    save_function: Callable[[Any, str], None],
    load_function: Callable[[str], Any],
    unique_id: str | None = None,
    task_lock_params: TaskLockParams | None = None,
) -> TargetOnKart:
    return kart_storage.make_model_target(
        file_path,
        temporary_directory,
        save_function,
        load_function,
        unique_id,
        lock=_lock(task_lock_params),
    )


__all__ = [
    "LargeDataFrameProcessor",
    "ModelTarget",
    "SingleFileTarget",
    "TargetOnKart",
    "TaskLockParams",
    "make_file_processor",
    "make_model_target",
    "make_target",
    "make_task_lock_params",
    "wrap_dump_with_lock",
    "wrap_load_with_lock",
    "wrap_remove_with_lock",
]
