"""TaskOnKart on luigi: parameters, gokart-compatible unique ids, cached targets, load/dump, completeness."""

from ._build import (
    GokartBuildError,
    HasLockedTaskException,
    LoggerConfig,
    TaskDumpConfig,
    TaskDumpMode,
    TaskDumpOutputType,
    WorkerProtocol,
    WorkerSchedulerFactory,
    build,
    process_task_info,
)
from ._config_file import ConfigFileNotFoundError, add_config
from ._config_params import inherits_config_params
from ._errors import EmptyDumpError
from ._events import EventAggregator, FailureEvent
from ._explain import RunReason, explain, format_explanation
from ._flatten import FlattenableItems, flatten, map_flattenable_items
from ._luigi.worker import RunFailure, Worker, gokart_worker
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
from ._run import run
from ._task import TaskOnKart
from ._testing import assert_frame_contents_equal, test_run, try_to_run_test_for_empty_data_frame
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
    "ConfigFileNotFoundError",
    "EmptyDumpError",
    "EventAggregator",
    "ExplicitBoolParameter",
    "FailureEvent",
    "FlattenableItems",
    "GokartBuildError",
    "HasLockedTaskException",
    "ListTaskInstanceParameter",
    "LoggerConfig",
    "PandasTypeConfig",
    "PandasTypeConfigMap",
    "PandasTypeError",
    "RunFailure",
    "RunReason",
    "Serializable",
    "SerializableParameter",
    "TaskDumpConfig",
    "TaskDumpMode",
    "TaskDumpOutputType",
    "TaskInstanceParameter",
    "TaskOnKart",
    "Worker",
    "WorkerProtocol",
    "WorkerSchedulerFactory",
    "ZonedDateSecondParameter",
    "__version__",
    "add_config",
    "assert_frame_contents_equal",
    "build",
    "dataframe_type_of",
    "delete_local_unnecessary_outputs",
    "dump_task_info_graph",
    "dump_task_info_table",
    "dump_task_info_tree",
    "explain",
    "flatten",
    "format_explanation",
    "gokart_worker",
    "inherits_config_params",
    "make_task_info_as_dot",
    "make_task_info_as_mermaid",
    "make_task_info_as_table",
    "make_task_info_as_tree_str",
    "make_tree_info",
    "map_flattenable_items",
    "process_task_info",
    "run",
    "test_run",
    "tree_info",
    "try_to_run_test_for_empty_data_frame",
]
