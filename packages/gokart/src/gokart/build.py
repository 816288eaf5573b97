"""gokart.build: build() and its helpers, defined in kart-task (and the run-lock exception it retries on)."""

from kart_lock import TaskLockException
from kart_task import (
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
from kart_task._build import TaskLockExceptionRaisedFlag, _get_output, _reset_register, logger

__all__ = [
    "GokartBuildError",
    "HasLockedTaskException",
    "LoggerConfig",
    "TaskDumpConfig",
    "TaskDumpMode",
    "TaskDumpOutputType",
    "TaskLockException",
    "TaskLockExceptionRaisedFlag",
    "WorkerProtocol",
    "WorkerSchedulerFactory",
    "_get_output",
    "_reset_register",
    "build",
    "logger",
    "process_task_info",
]
