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
from ._flatten import FlattenableItems, flatten, map_flattenable_items
from ._pandas_type import PandasTypeConfig, PandasTypeConfigMap, PandasTypeError
from ._parameters import (
    ExplicitBoolParameter,
    ListTaskInstanceParameter,
    Serializable,
    SerializableParameter,
    TaskInstanceParameter,
    ZonedDateSecondParameter,
)
from ._task import TaskOnKart
from ._typing import dataframe_type_of
from ._worker import RunFailure, Worker, gokart_worker

__version__ = "0.1.0"

__all__ = [
    "ConfigFileNotFoundError",
    "EmptyDumpError",
    "ExplicitBoolParameter",
    "FlattenableItems",
    "GokartBuildError",
    "HasLockedTaskException",
    "ListTaskInstanceParameter",
    "LoggerConfig",
    "PandasTypeConfig",
    "PandasTypeConfigMap",
    "PandasTypeError",
    "RunFailure",
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
    "build",
    "dataframe_type_of",
    "flatten",
    "gokart_worker",
    "inherits_config_params",
    "map_flattenable_items",
    "process_task_info",
]
