"""The task-information tree (gokart's `gokart.tree.task_info_formatter`): data model and text renderer.

The tree is built from one `TaskGraph` walk, so a task required from many places is inspected once
and appears as one shared `TaskInfo` object. Rendering and table listing are iterative, so deep
chains do not hit Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import luigi

from ._errors import NotATaskError
from ._tree_walk import (
    TaskGraph,
    shown_in_pre_order,
    significant_params,
    target_path,
    task_name,
    task_unique_id,
    walk,
)

LAST_CHILD = "└─-"
OTHER_CHILD = "|--"
INDENT_AFTER_LAST = "   "
INDENT_AFTER_OTHER = "|  "


class RequiredTask(NamedTuple):
    """A dependency as the tree records it: class name and unique id (pickles stay small and plain)."""

    name: str
    unique_id: str


@dataclass
class TaskInfo:
    """One node of the task tree (gokart's data model): what `dump_task_info_tree` pickles."""

    name: str
    unique_id: str
    output_paths: list[str]
    params: dict[str, Any]
    processing_time: str
    is_complete: str
    task_log: dict[str, Any]
    requires: Any
    children_task_infos: list[TaskInfo] = field(default_factory=list)

    def get_task_id(self) -> str:
        """`<name>_<unique id>`: the key of this task in the tree."""
        return f"{self.name}_{self.unique_id}"

    def get_task_title(self) -> str:
        """The tree line's text: `(<status>) <name>[<unique id>]`."""
        return f"({self.is_complete}) {self.name}[{self.unique_id}]"

    def get_task_detail(self) -> str:
        """Parameters, output paths, processing time and task log, for `details=True`."""
        return (
            f"(parameter={self.params!r}, output={self.output_paths!r}, "
            f"time={self.processing_time}, task_log={self.task_log!r})"
        )

    def task_info_dict(self) -> dict[str, Any]:
        """This task as one row of the task-info table."""
        return {
            "name": self.name,
            "unique_id": self.unique_id,
            "output_paths": self.output_paths,
            "params": self.params,
            "processing_time": self.processing_time,
            "is_complete": self.is_complete,
            "task_log": self.task_log,
            "requires": self.requires,
        }


def _make_requires_info(requires: Any) -> Any:
    """`requires()` with every task replaced by its `RequiredTask`, dicts and sequences kept as such."""
    if isinstance(requires, luigi.Task):
        return RequiredTask(name=task_name(requires), unique_id=task_unique_id(requires))
    if isinstance(requires, dict):
        return {key: _make_requires_info(value) for key, value in requires.items()}
    if isinstance(requires, Iterable) and not isinstance(requires, str | bytes):
        return [_make_requires_info(item) for item in requires]
    raise NotATaskError(
        f"`requires` has unexpected type {type(requires)}. "
        "Must be `TaskOnKart`, `Iterarble[TaskOnKart]`, or `Dict[str, TaskOnKart]`"
    )


def task_info_tree_from_graph(
    graph: TaskGraph, ignore_task_names: Iterable[str] | None = None, cache: dict[str, TaskInfo] | None = None
) -> TaskInfo:
    ignored = frozenset(ignore_task_names or ())
    infos: dict[str, TaskInfo] = cache if cache is not None else {}
    shown = set(shown_in_pre_order(graph, ignored))
    for key in graph.post_order:
        if key not in shown or key in infos:
            continue
        node = graph[key]
        time = graph.processing_time(key)
        infos[key] = TaskInfo(
            name=node.name,
            unique_id=node.unique_id,
            output_paths=[target_path(target) for target in node.outputs],
            params=significant_params(node.task),
            processing_time=f"{time}s" if isinstance(time, float) else str(time),
            is_complete="COMPLETE" if node.complete else "PENDING",
            task_log=graph.task_log(key),
            requires=_make_requires_info(node.requires),
            children_task_infos=[infos[dep] for dep in node.deps if graph[dep].name not in ignored],
        )
    return infos[graph.root_key]


def make_task_info_tree(
    task: luigi.Task, ignore_task_names: Iterable[str] | None = None, cache: dict[str, TaskInfo] | None = None
) -> TaskInfo:
    """The tree of `task` and its dependencies; a repeated task is one shared `TaskInfo` object.

    Unlike gokart 1.12, computing it deletes nothing: `rerun=True` tasks show as PENDING and keep
    their outputs until they actually run.
    """
    return task_info_tree_from_graph(walk(task), ignore_task_names, cache)


def make_tree_info(
    task_info: TaskInfo,
    indent: str = "",
    last: bool = True,
    details: bool = False,
    abbr: bool = True,
    visited_tasks: set[str] | None = None,
) -> str:
    """The tree text: one line per task, a repeated subtree shortened to `└─- ...` when `abbr`."""
    visited = visited_tasks if visited_tasks is not None else set()
    parts: list[str] = []
    stack: list[tuple[TaskInfo, str, bool]] = [(task_info, indent, last)]
    while stack:
        info, prefix, is_last = stack.pop()
        parts.append(f"\n{prefix}{LAST_CHILD if is_last else OTHER_CHILD}{info.get_task_title()}")
        child_prefix = prefix + (INDENT_AFTER_LAST if is_last else INDENT_AFTER_OTHER)
        if abbr:
            task_id = info.get_task_id()
            if task_id in visited:
                parts.append(f"\n{child_prefix}{LAST_CHILD} ...")
                continue
            visited.add(task_id)
        if details:
            parts.append(info.get_task_detail())
        children = info.children_task_infos
        for index in range(len(children) - 1, -1, -1):
            stack.append((children[index], child_prefix, index == len(children) - 1))
    return "".join(parts)


def make_tree_info_table_list(task_info: TaskInfo, visited_tasks: set[str]) -> list[dict[str, Any]]:
    """One row per distinct task, pre-order; tasks already in `visited_tasks` contribute nothing."""
    rows: list[dict[str, Any]] = []
    stack = [task_info]
    while stack:
        info = stack.pop()
        task_id = info.get_task_id()
        if task_id in visited_tasks:
            continue
        visited_tasks.add(task_id)
        rows.append(info.task_info_dict())
        stack.extend(reversed(info.children_task_infos))
    return rows
