"""Task information as text, table and pickled tree (gokart's `gokart.tree.task_info`)."""

from __future__ import annotations

import os
from collections.abc import Iterable

import luigi
import pandas as pd

from kart_storage import make_target

from ._errors import OptionError
from ._tree_formatter import (
    TaskInfo,
    make_task_info_tree,
    make_tree_info,
    make_tree_info_table_list,
)
from ._tree_walk import task_unique_id

__all__ = [
    "dump_task_info_table",
    "dump_task_info_tree",
    "make_target",
    "make_task_info_as_table",
    "make_task_info_as_tree_str",
    "make_task_info_tree",
]

TABLE_COLUMNS = [
    "name",
    "unique_id",
    "output_paths",
    "params",
    "processing_time",
    "is_complete",
    "task_log",
    "requires",
]


def make_task_info_as_tree_str(
    task: luigi.Task,
    details: bool = False,
    abbr: bool = True,
    ignore_task_names: Iterable[str] | None = None,
) -> str:
    """The dependency tree as text; starts with a newline, one line per task (see the spec's 5.2)."""
    tree = make_task_info_tree(task, ignore_task_names=ignore_task_names)
    return make_tree_info(tree, indent="", last=True, details=details, abbr=abbr, visited_tasks=set())


def _table(tree: TaskInfo) -> pd.DataFrame:
    return pd.DataFrame(make_tree_info_table_list(tree, set()), columns=TABLE_COLUMNS)


def make_task_info_as_table(task: luigi.Task, ignore_task_names: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per distinct task, dependencies after their dependents (pre-order)."""
    return _table(make_task_info_tree(task, ignore_task_names=ignore_task_names))


def dump_task_info_table(
    task: luigi.Task, task_info_dump_path: str, ignore_task_names: Iterable[str] | None = None
) -> None:
    """Write the table to `task_info_dump_path` with the task's id inserted before the extension.

    The target is made first: an unsupported extension fails before the graph is walked.
    """
    target = make_target(task_info_dump_path, unique_id=task_unique_id(task))
    table = make_task_info_as_table(task, ignore_task_names=ignore_task_names)
    target.dump(obj=table, lock_at_dump=False)


def dump_task_info_tree(
    task: luigi.Task,
    task_info_dump_path: str,
    ignore_task_names: Iterable[str] | None = None,
    use_unique_id: bool = True,
) -> None:
    """Pickle the `TaskInfo` tree to `task_info_dump_path` (a `.pkl` path; the task's id is inserted before
    the extension unless `use_unique_id=False`). Through the gokart package the pickle names
    `gokart.tree.task_info_formatter.TaskInfo`, so gokart 1.12 loads it."""
    extension = os.path.splitext(task_info_dump_path)[1]
    if extension != ".pkl":
        raise OptionError(f"File extention must be `.pkl`, not `{extension}`.")
    unique_id = task_unique_id(task) if use_unique_id else None
    target = make_target(task_info_dump_path, unique_id=unique_id)
    tree = make_task_info_tree(task, ignore_task_names=ignore_task_names)
    target.dump(obj=tree, lock_at_dump=False)
