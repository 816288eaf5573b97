"""Functions run in `spawn`-started processes (must be importable by module name)."""

from __future__ import annotations

from typing import Any


def unique_id_and_path(task: Any) -> tuple[str, str]:
    return task.make_unique_id(), task.output().path()
