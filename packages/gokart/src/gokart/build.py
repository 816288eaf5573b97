"""gokart.build: build() and its helpers, defined in kart-task (and the run-lock exception it retries on)."""

import logging

from kart_lock import TaskLockException
from kart_task import (
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
from kart_task import load_task_output as _get_output
from kart_task import reset_task_register as _reset_register

logger = logging.getLogger(__name__)  # the logger build() writes to

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
