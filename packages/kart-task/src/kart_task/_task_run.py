"""The wrappers TaskOnKart puts around `run()`: skip when already complete (complete_check_at_run) and
hold the task's Redis lock (should_lock_run). Closures over bound methods cannot be pickled, so they
are left out of the pickled state and rebuilt when a task is unpickled in a worker process."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import kart_lock

from ._errors import TaskSettingError

complete_check_logger = logging.getLogger("gokart.task_complete_check")

_WRAPPED_RUN = "run"


def run_unless_complete(task: Any, run: Callable[[], Any]) -> Callable[[], Any]:
    complete = task.complete

    @functools.wraps(run)
    def wrapper() -> Any:
        if complete():
            complete_check_logger.warning("run is skipped because the task is already completed.")
            task._kart_run_skipped = True
            return None
        return run()

    return wrapper


def install_run_wrappers(task: Any) -> None:
    task.__dict__.pop(_WRAPPED_RUN, None)
    if task.complete_check_at_run:
        task.run = run_unless_complete(task, task.run)
    if task.should_lock_run:
        task._lock_at_dump = False
        if task.redis_host is None:
            raise TaskSettingError("redis_host must be set when should_lock_run is True.")
        if task.redis_port is None:
            raise TaskSettingError("redis_port must be set when should_lock_run is True.")
        run_lock = kart_lock.make_task_lock_params_for_run(task)
        task.run = kart_lock.wrap_run_with_lock(task.run, run_lock)


def picklable_state(task: Any) -> dict[str, Any]:
    state = dict(task.__dict__)
    state.pop(_WRAPPED_RUN, None)  # closures over bound methods: rebuilt on unpickling
    return state
