"""gokart's qualified names for the kart classes and functions the meta-package re-exports.

Applied once, when gokart is imported: `GokartBuildError.__module__` becomes `gokart.build` and so on,
so logs, tracebacks, pickles and tooling written against gokart 1.12.2 see the names they expect, and a
pickle written here loads in gokart (and the reverse). Each object keeps living in its kart package; the
gokart module named here re-exports it under the same name (tests check that every entry resolves).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Mapping
from typing import Any

import kart_lock
import kart_notify
import kart_storage
import kart_task

#: gokart module -> the kart objects it defines in gokart 1.12.2
GOKART_HOMES: Mapping[str, tuple[object, ...]] = {
    "gokart.build": (
        kart_task.GokartBuildError,
        kart_task.HasLockedTaskException,
        kart_task.LoggerConfig,
        kart_task.TaskDumpConfig,
        kart_task.TaskDumpMode,
        kart_task.TaskDumpOutputType,
        kart_task.TaskLockExceptionRaisedFlag,
        kart_task.WorkerProtocol,
        kart_task.WorkerSchedulerFactory,
        kart_task.load_task_output,
        kart_task.reset_task_register,
        kart_task.build,
        kart_task.process_task_info,
    ),
    "gokart.config_params": (kart_task.inherits_config_params,),
    "gokart.conflict_prevention_lock.task_lock": (
        kart_lock.RedisClient,
        kart_lock.TaskLockException,
        kart_lock.TaskLockParams,
        kart_lock.make_task_lock_key,
        kart_lock.make_task_lock_params,
        kart_lock.make_task_lock_params_for_run,
        kart_lock.set_lock_scheduler,
        kart_lock.set_task_lock,
    ),
    "gokart.conflict_prevention_lock.task_lock_wrappers": (
        kart_lock.wrap_dump_with_lock,
        kart_lock.wrap_load_with_lock,
        kart_lock.wrap_remove_with_lock,
        kart_lock.wrap_run_with_lock,
    ),
    "gokart.file_processor": (
        kart_storage.CsvFileProcessor,
        kart_storage.FeatherFileProcessor,
        kart_storage.JsonFileProcessor,
        kart_storage.ParquetFileProcessor,
        kart_storage.make_file_processor,
    ),
    "gokart.file_processor.base": (
        kart_storage.BinaryFileProcessor,
        kart_storage.FileProcessor,
        kart_storage.GzipFileProcessor,
        kart_storage.NpzFileProcessor,
        kart_storage.PickleFileProcessor,
        kart_storage.TextFileProcessor,
        kart_storage.XmlFileProcessor,
    ),
    "gokart.file_processor.pandas": (
        kart_storage.CsvFileProcessorPandas,
        kart_storage.FeatherFileProcessorPandas,
        kart_storage.JsonFileProcessorPandas,
        kart_storage.ParquetFileProcessorPandas,
    ),
    "gokart.file_processor.polars": (
        kart_storage.CsvFileProcessorPolars,
        kart_storage.FeatherFileProcessorPolars,
        kart_storage.JsonFileProcessorPolars,
        kart_storage.ParquetFileProcessorPolars,
    ),
    "gokart.in_memory.data": (kart_storage.InMemoryData,),
    "gokart.in_memory.repository": (kart_storage.InMemoryCacheRepository,),
    "gokart.in_memory.target": (kart_storage.InMemoryTarget, kart_storage.make_in_memory_target),
    "gokart.info": (kart_task.make_tree_info, kart_task.tree_info),
    "gokart.pandas_type_config": (
        kart_task.PandasTypeConfig,
        kart_task.PandasTypeConfigMap,
        kart_task.PandasTypeError,
    ),
    "gokart.parameter": (
        kart_task.ExplicitBoolParameter,
        kart_task.ListTaskInstanceParameter,
        kart_task.Serializable,
        kart_task.SerializableParameter,
        kart_task.TaskInstanceParameter,
        kart_task.ZonedDateSecondParameter,
    ),
    "gokart.required_task_output": (kart_storage.RequiredTaskOutput,),
    "gokart.slack.event_aggregator": (kart_task.EventAggregator, kart_task.FailureEvent),
    "gokart.slack.slack_api": (kart_notify.ChannelNotFoundError,),
    "gokart.target": (
        kart_storage.LargeDataFrameProcessor,
        kart_storage.ModelTarget,
        kart_storage.SingleFileTarget,
        kart_storage.TargetOnKart,
    ),
    "gokart.task": (kart_task.EmptyDumpError, kart_task.TaskOnKart),
    "gokart.testing.check_if_run_with_empty_data_frame": (
        kart_task.test_run,
        kart_task.try_to_run_test_for_empty_data_frame,
        kart_task.EmptyDataFrameTestStatus,
        kart_task.all_required_tasks,
        kart_task.run_on_empty_data_frames,
        kart_task.run_empty_data_frame_test,
    ),
    "gokart.testing.pandas_assert": (kart_task.assert_frame_contents_equal,),
    "gokart.tree.task_info": (
        kart_task.dump_task_info_table,
        kart_task.dump_task_info_tree,
        kart_task.make_task_info_as_table,
        kart_task.make_task_info_as_tree_str,
    ),
    "gokart.tree.task_info_formatter": (
        kart_task.RequiredTask,
        kart_task.TaskInfo,
        kart_task.requires_info,
        kart_task.make_task_info_tree,
        kart_task.format_task_info_tree,
        kart_task.make_tree_info_table_list,
    ),
    "gokart.utils": (kart_task.add_config, kart_task.map_flattenable_items),
    "gokart.worker": (kart_task.TaskProcess, kart_task.Worker, kart_task.gokart_worker),
    "gokart.workspace_management": (kart_task.delete_local_unnecessary_outputs,),
}


def apply() -> None:
    """Give every object of the table its gokart module. An entry whose gokart module is loaded and
    holds something else under that name (a gokart-side replacement) is left alone."""
    for module_name, objects in GOKART_HOMES.items():
        loaded = sys.modules.get(module_name)
        for obj in objects:
            name = getattr(obj, "__qualname__", None)
            if name is None:
                continue
            if loaded is not None and getattr(loaded, name, None) is not obj:
                continue
            if isinstance(obj, type):
                _resolve_annotations(obj)
            obj.__module__ = module_name


def _resolve_annotations(cls: type) -> None:
    """typing.get_type_hints looks a class's string annotations up in the module `__module__` names: once
    renamed, that is the gokart module, which lacks the kart module's imports. Evaluate them first, in the
    module that wrote them; one that cannot be evaluated yet (a TYPE_CHECKING-only name) stays a string."""
    annotations = inspect.get_annotations(cls)
    home = sys.modules.get(cls.__module__)
    if not annotations or home is None:
        return
    namespace = {**vars(home), **vars(cls)}
    resolved: dict[str, Any] = {}
    for attr, hint in annotations.items():
        resolved[attr] = hint
        if isinstance(hint, str):
            try:
                resolved[attr] = eval(hint, vars(home), namespace)
            except Exception:
                continue
    cls.__annotations__ = resolved
