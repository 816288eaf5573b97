"""gokart.worker: the luigi worker gokart runs tasks with, defined in kart-task (luigi's helpers that gokart's
forked worker module also carried are re-exported from luigi.worker)."""

import logging
import multiprocessing

from luigi.worker import ContextManagedTaskProcess, GetWorkResponse, fork_lock

from kart_task import TaskProcess, Worker, gokart_worker

from ._luigi_compat import WAIT_INTERVAL_EPS as _WAIT_INTERVAL_EPS
from ._luigi_compat import get_retry_policy_dict as _get_retry_policy_dict
from ._luigi_compat import is_external as _is_external

logger = logging.getLogger(__name__)  # the logger kart-task's worker writes to
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
