"""Drop-in replacement for gokart 1.12: gokart's public API at its documented module paths, built on the
kart libraries (kart-hash, kart-storage, kart-lock, kart-notify, kart-task)."""

# gokart binds these submodules as attributes on import
from gokart import (
    conflict_prevention_lock,
    file_processor,
    gcs_config,
    pandas_type_config,
    parameter,
    required_task_output,
    s3_config,
    target,
    task,
    utils,
    worker,
)
from gokart.build import WorkerSchedulerFactory, build
from gokart.conflict_prevention_lock import task_lock, task_lock_wrappers
from gokart.pandas_type_config import PandasTypeConfig
from gokart.parameter import (
    ExplicitBoolParameter,
    ListTaskInstanceParameter,
    SerializableParameter,
    TaskInstanceParameter,
    ZonedDateSecondParameter,
)
from gokart.task import TaskOnKart
from gokart.utils import add_config

__version__ = "1.12.2.post1"

__all__ = [
    "ExplicitBoolParameter",
    "ListTaskInstanceParameter",
    "PandasTypeConfig",
    "SerializableParameter",
    "TaskInstanceParameter",
    "TaskOnKart",
    "WorkerSchedulerFactory",
    "ZonedDateSecondParameter",
    "add_config",
    "build",
]
