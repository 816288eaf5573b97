"""Where a task's outputs live and how they are stored: the targets of make_target, make_model_target
and make_large_data_frame_target, with the task's lock, integrity and create-only settings."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import kart_lock
import kart_storage

from ._errors import TaskSettingError, UnsafeTaskPathError
from ._task_class import task_on_kart_class
from ._typing import dataframe_type_of


def module_path(task: Any) -> str:
    # A bare TaskOnKart() (restore, task-info dumps) writes where gokart's does, wherever kart defines it.
    module = "gokart.task" if type(task) is task_on_kart_class() else type(task).__module__
    return module.replace(".", "/")


def default_relative_path(task: Any, extension: str) -> str:
    """`<module as folders>/<ClassName><extension>`, gokart's default output path."""
    return os.path.join(module_path(task), f"{type(task).__name__}{extension}")


def workspace_path(task: Any, relative_file_path: str) -> str:
    try:
        return kart_storage.join_workspace(task.workspace_directory, relative_file_path)
    except kart_storage.UnsafePathError as exc:
        workspace = task.workspace_directory
        raise UnsafeTaskPathError(
            f"{type(task).__name__}: workspace_directory={workspace!r}: {exc}"
        ) from None


def target_lock_params(task: Any, file_path: str, unique_id: str | None) -> kart_lock.TaskLockParams:
    """What the target's `_get_task_lock_params()` reports, as gokart: keyed on the path before the id."""
    try:
        return kart_lock.make_task_lock_params(
            file_path=file_path,
            unique_id=unique_id,
            redis_host=task.redis_host,
            redis_port=task.redis_port,
            redis_timeout=task.redis_timeout,
            raise_task_lock_exception_on_collision=False,
        )
    except kart_lock.LockTimeoutSettingError as exc:  # same class, and the message names the task
        raise kart_lock.LockTimeoutSettingError(f"{type(task).__name__}: {exc}") from None


def storage_options(task: Any) -> dict[str, Any]:
    """verify_integrity (its words are kart-storage's: true, strict, false...; unset: the environment
    decides) and create_only."""
    try:
        verify = kart_storage.parse_verify_integrity(task.verify_integrity)
    except kart_storage.IntegritySettingError as exc:
        raise TaskSettingError(f"{type(task).__name__}: {exc}") from None
    return {"verify_integrity": verify, "create_only": bool(task.create_only)}


def make_target(
    task: Any,
    relative_file_path: str | None,
    use_unique_id: bool,
    processor: kart_storage.FileProcessor | None,
) -> kart_storage.TargetOnKart:
    rel = relative_file_path or default_relative_path(task, ".pkl")
    file_path = workspace_path(task, rel)
    uid = task.make_unique_id() if use_unique_id else None
    if processor is None and relative_file_path is not None:
        processor = kart_storage.make_file_processor(
            file_path,
            dataframe_type=dataframe_type_of(type(task)),
            store_index_in_feather=task.store_index_in_feather,
        )
    return kart_storage.make_target(
        file_path,
        unique_id=uid,
        processor=processor,
        lock_params=target_lock_params(task, file_path, uid),
        store_index_in_feather=task.store_index_in_feather,
        **storage_options(task),
    )


def make_model_target(
    task: Any,
    relative_file_path: str,
    save_function: Callable[[Any, str], Any],
    load_function: Callable[[str], Any],
    use_unique_id: bool,
) -> kart_storage.TargetOnKart:
    if relative_file_path[-3:] != "zip":
        raise TaskSettingError(f"extension must be zip, but {relative_file_path} is passed.")
    file_path = workspace_path(task, relative_file_path)
    uid = task.make_unique_id() if use_unique_id else None
    return kart_storage.make_model_target(
        file_path,
        temporary_directory=task.local_temporary_directory,
        save_function=save_function,
        load_function=load_function,
        unique_id=uid,
        lock_params=target_lock_params(task, file_path, uid),
        **storage_options(task),
    )
