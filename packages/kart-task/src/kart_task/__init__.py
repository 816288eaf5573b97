"""TaskOnKart on luigi: parameters, gokart-compatible unique ids, cached targets, load/dump, completeness."""

# Names aliased here (load_task_output, reset_task_register, all_required_tasks, run_on_empty_data_frames,
# run_empty_data_frame_test, EmptyDataFrameTestStatus, requires_info, format_task_info_tree) are what the
# gokart meta-package re-exports under gokart 1.12.2's names, private there: each object keeps gokart's
# qualified name, so logs and pickles see what gokart shows.
from ._build import (
    GokartBuildError,
    HasLockedTaskException,
    LoggerConfig,
    TaskDumpConfig,
    TaskDumpMode,
    TaskDumpOutputType,
    TaskLockExceptionRaisedFlag,
    WorkerProtocol,
    WorkerSchedulerFactory,
    build,
    process_task_info,
)
from ._build import _get_output as load_task_output
from ._build import _reset_register as reset_task_register
from ._cache_cli import main as command_line
from ._cache_collect import CollectionPlan, CollectionResult, Removal, apply_collection, plan_collection
from ._cache_inventory import CachedTask, CacheInventory, FamilyTotals, cache_inventory
from ._cache_reachability import NeededOutputs, needed_by
from ._config_file import add_config
from ._config_params import inherits_config_params
from ._errors import (
    BuildArgumentError,
    CompleteCheckError,
    CompleteValueError,
    ConfigFileError,
    ConfigFileNotFoundError,
    EmptyDumpError,
    FrameMismatchError,
    KartTaskError,
    NotATaskError,
    OptionError,
    ParameterTypeError,
    TaskClassNotReadyError,
    TaskSettingError,
    UnsafeTaskPathError,
    UnsupportedOutputError,
    WorkflowFailedError,
)
from ._events import EventAggregator, FailureEvent
from ._explain import RunReason, explain, format_explanation
from ._flatten import FlattenableItems, flatten, map_flattenable_items
from ._luigi.worker import RunFailure, TaskProcess, Worker, gokart_worker
from ._pandas_type import PandasTypeConfig, PandasTypeConfigMap, PandasTypeError
from ._parameters import (
    TASK_ON_KART_TYPE,
    ExplicitBoolParameter,
    ListTaskInstanceParameter,
    Serializable,
    SerializableParameter,
    TaskInstanceParameter,
    ZonedDateSecondParameter,
)
from ._reset import reset
from ._run import RunFlags, run, take_run_flags, try_to_run_test_for_empty_data_frame
from ._run import _test_run_with_empty_data_frame as run_empty_data_frame_test
from ._task import TaskOnKart
from ._testing import _get_all_tasks as all_required_tasks
from ._testing import _run_with_test_status as run_on_empty_data_frames
from ._testing import _TestStatus as EmptyDataFrameTestStatus
from ._testing import assert_frame_contents_equal, test_run
from ._tree_formatter import RequiredTask, TaskInfo, make_task_info_tree, make_tree_info_table_list
from ._tree_formatter import _make_requires_info as requires_info
from ._tree_formatter import make_tree_info as format_task_info_tree
from ._tree_graph import dump_task_info_graph, make_task_info_as_dot, make_task_info_as_mermaid
from ._tree_info import (
    dump_task_info_table,
    dump_task_info_tree,
    make_task_info_as_table,
    make_task_info_as_tree_str,
)
from ._tree_legacy import make_tree_info, tree_info
from ._typing import dataframe_type_of
from ._workspace import delete_local_unnecessary_outputs

__version__ = "0.1.0"

__all__ = [
    "TASK_ON_KART_TYPE",
    "BuildArgumentError",
    "CacheInventory",
    "CachedTask",
    "CollectionPlan",
    "CollectionResult",
    "CompleteCheckError",
    "CompleteValueError",
    "ConfigFileError",
    "ConfigFileNotFoundError",
    "EmptyDataFrameTestStatus",
    "EmptyDumpError",
    "EventAggregator",
    "ExplicitBoolParameter",
    "FailureEvent",
    "FamilyTotals",
    "FlattenableItems",
    "FrameMismatchError",
    "GokartBuildError",
    "HasLockedTaskException",
    "KartTaskError",
    "ListTaskInstanceParameter",
    "LoggerConfig",
    "NeededOutputs",
    "NotATaskError",
    "OptionError",
    "PandasTypeConfig",
    "PandasTypeConfigMap",
    "PandasTypeError",
    "ParameterTypeError",
    "Removal",
    "RequiredTask",
    "RunFailure",
    "RunFlags",
    "RunReason",
    "Serializable",
    "SerializableParameter",
    "TaskClassNotReadyError",
    "TaskDumpConfig",
    "TaskDumpMode",
    "TaskDumpOutputType",
    "TaskInfo",
    "TaskInstanceParameter",
    "TaskLockExceptionRaisedFlag",
    "TaskOnKart",
    "TaskProcess",
    "TaskSettingError",
    "UnsafeTaskPathError",
    "UnsupportedOutputError",
    "Worker",
    "WorkerProtocol",
    "WorkerSchedulerFactory",
    "WorkflowFailedError",
    "ZonedDateSecondParameter",
    "__version__",
    "add_config",
    "all_required_tasks",
    "apply_collection",
    "assert_frame_contents_equal",
    "build",
    "cache_inventory",
    "command_line",
    "dataframe_type_of",
    "delete_local_unnecessary_outputs",
    "dump_task_info_graph",
    "dump_task_info_table",
    "dump_task_info_tree",
    "explain",
    "flatten",
    "format_explanation",
    "format_task_info_tree",
    "gokart_worker",
    "inherits_config_params",
    "load_task_output",
    "make_task_info_as_dot",
    "make_task_info_as_mermaid",
    "make_task_info_as_table",
    "make_task_info_as_tree_str",
    "make_task_info_tree",
    "make_tree_info",
    "make_tree_info_table_list",
    "map_flattenable_items",
    "needed_by",
    "plan_collection",
    "process_task_info",
    "requires_info",
    "reset",
    "reset_task_register",
    "run",
    "run_empty_data_frame_test",
    "run_on_empty_data_frames",
    "take_run_flags",
    "test_run",
    "tree_info",
    "try_to_run_test_for_empty_data_frame",
]
