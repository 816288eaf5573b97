"""gokart.target: targets with gokart's signatures (lock parameters, not kart-storage's lock factory).

Targets lock through this module's `wrap_dump_with_lock` / `wrap_load_with_lock` / `wrap_remove_with_lock`,
looked up when each call happens, as in gokart: tests that patch them here see every dump, load and remove.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import kart_storage
import kart_task  # noqa: F401 - installs kart's lock wrappers first, so the ones below take over
from gokart.gcs_obj_metadata_client import GCSObjectMetadataClient
from gokart.object_storage import ObjectStorage
from gokart.utils import FlattenableItems
from gokart.zip_client_util import make_zip_client
from kart_lock import (
    TaskLockParams,
    make_task_lock_params,
    wrap_dump_with_lock,
    wrap_load_with_lock,
    wrap_remove_with_lock,
)
from kart_storage import (
    FileProcessor,
    LargeDataFrameProcessor,
    ModelTarget,
    RequiredTaskOutput,
    SingleFileTarget,
    TargetOnKart,
    make_file_processor,
)


def _this_module() -> Any:
    return sys.modules[__name__]


def _dump_through_module(func: Callable[..., Any], params: Any, exist_check: Callable[[], bool]) -> Any:
    return _this_module().wrap_dump_with_lock(func=func, task_lock_params=params, exist_check=exist_check)


def _load_through_module(func: Callable[..., Any], params: Any) -> Any:
    return _this_module().wrap_load_with_lock(func=func, task_lock_params=params)


def _remove_through_module(func: Callable[..., Any], params: Any) -> Any:
    return _this_module().wrap_remove_with_lock(func, task_lock_params=params)


kart_storage.set_lock_wrappers(
    kart_storage.LockWrappers(
        dump=_dump_through_module, load=_load_through_module, remove=_remove_through_module
    )
)


def make_target(
    file_path: str,
    unique_id: str | None = None,
    processor: FileProcessor | None = None,
    task_lock_params: TaskLockParams | None = None,
    store_index_in_feather: bool = True,
) -> TargetOnKart:
    params = (
        task_lock_params
        if task_lock_params is not None
        else make_task_lock_params(file_path=file_path, unique_id=unique_id)
    )
    return kart_storage.make_target(
        file_path,
        unique_id,
        processor,
        lock_params=params,
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
    params = (
        task_lock_params
        if task_lock_params is not None
        else make_task_lock_params(file_path=file_path, unique_id=unique_id)
    )
    return kart_storage.make_model_target(
        file_path,
        temporary_directory,
        save_function,
        load_function,
        unique_id,
        lock_params=params,
    )


__all__ = [
    "FileProcessor",
    "FlattenableItems",
    "GCSObjectMetadataClient",
    "LargeDataFrameProcessor",
    "ModelTarget",
    "ObjectStorage",
    "RequiredTaskOutput",
    "SingleFileTarget",
    "TargetOnKart",
    "TaskLockParams",
    "make_file_processor",
    "make_model_target",
    "make_target",
    "make_task_lock_params",
    "make_zip_client",
    "wrap_dump_with_lock",
    "wrap_load_with_lock",
    "wrap_remove_with_lock",
]
