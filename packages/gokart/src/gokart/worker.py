"""gokart.worker: the luigi worker gokart runs tasks with, defined in kart-task (luigi's helpers that gokart's
forked worker module also carried are re-exported from luigi.worker)."""

import multiprocessing

from luigi.worker import (
    _WAIT_INTERVAL_EPS,
    ContextManagedTaskProcess,
    GetWorkResponse,
    _get_retry_policy_dict,
    _is_external,
    fork_lock,
)

from kart_task import Worker, gokart_worker
from kart_task._worker import TaskProcess, logger

_fork_context = multiprocessing.get_context("fork")
_ForkProcess = _fork_context.Process

__all__ = [
    "_WAIT_INTERVAL_EPS",
    "ContextManagedTaskProcess",
    "GetWorkResponse",
    "TaskProcess",
    "Worker",
    "_ForkProcess",
    "_fork_context",
    "_get_retry_policy_dict",
    "_is_external",
    "fork_lock",
    "gokart_worker",
    "logger",
]
