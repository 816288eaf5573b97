"""gokart.worker: the luigi worker gokart runs tasks with, defined in kart-task (luigi's helpers that gokart's
forked worker module also carried are re-exported from luigi.worker)."""

import multiprocessing

from luigi.worker import ContextManagedTaskProcess, GetWorkResponse, fork_lock

from kart_task import Worker, gokart_worker
from kart_task._luigi.worker import TaskProcess, logger

from ._luigi_compat import WAIT_INTERVAL_EPS as _WAIT_INTERVAL_EPS
from ._luigi_compat import get_retry_policy_dict as _get_retry_policy_dict
from ._luigi_compat import is_external as _is_external

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
