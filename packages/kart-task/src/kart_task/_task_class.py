"""Where modules below `_task` find the TaskOnKart class: `_task` registers it once defined.

The parameter types (their default expected type), the generic-argument reader and the value test for
task-valued attributes need TaskOnKart, while `_task` needs them to define it; reading it from this
leaf keeps the import arrows one-way (`_task` -> these modules -> here).
"""

from __future__ import annotations

from typing import Any

from ._errors import TaskClassNotReadyError

_registered: list[type[Any]] = []


def register_task_class(task_class: type[Any]) -> None:
    """Called once by `_task` right after TaskOnKart is defined."""
    _registered[:] = [task_class]


def task_on_kart_class() -> type[Any]:
    """TaskOnKart (kart_task is imported whole, so `_task` has always registered it by now)."""
    if not _registered:
        raise TaskClassNotReadyError(
            "kart_task._task has not registered TaskOnKart yet: import kart_task first"
        )
    return _registered[0]
