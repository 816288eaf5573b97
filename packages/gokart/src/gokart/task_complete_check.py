"""gokart.task_complete_check: skip a run whose task became complete meanwhile (another worker did it)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from logging import getLogger
from typing import Any

logger = getLogger(__name__)


def task_complete_check_wrapper(
    run_func: Callable[..., Any], complete_check_func: Callable[..., Any]
) -> Callable[..., Any]:
    """`run_func`, but returning None without running when `complete_check_func()` is true."""

    @functools.wraps(run_func)
    def checked_run(*args: Any, **kwargs: Any) -> Any:
        if complete_check_func():
            logger.warning(f"{run_func.__name__} is skipped because the task is already completed.")
            return None
        return run_func(*args, **kwargs)

    return checked_run


__all__ = ["task_complete_check_wrapper"]
