"""How a task is named in reports: its kart unique id, or luigi's task id for a plain luigi task."""

from __future__ import annotations

from typing import Any


def unique_id_or_task_id(task: Any) -> str:
    """The unique id of a TaskOnKart (anything with `make_unique_id()`); luigi's `task_id` otherwise
    (external data and other plain luigi tasks)."""
    make_unique_id = getattr(task, "make_unique_id", None)
    if callable(make_unique_id):
        return str(make_unique_id())
    return str(task.task_id)
