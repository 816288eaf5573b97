"""One walk over a task's dependency graph, shared by tree info, graph export and `explain`.

Every distinct task (keyed by `<name>_<unique id>`) is visited once, however many tasks require it,
and the existence of every output and log file in the graph is asked of the storage in one
`kart_storage.exists_many` call. Completeness is then derived from those answers without calling
`TaskOnKart.complete()`, which would delete the outputs of `rerun=True` tasks as a side effect.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import luigi

import kart_storage

from ._completeness import completeness_rule, newer_inputs, target_path
from ._errors import NotATaskError
from ._expiry import ExpiredOutput, expired_outputs
from ._flatten import flatten
from ._identity import unique_id_or_task_id
from ._task import TaskOnKart

__all__ = [
    "LogFile",
    "TaskGraph",
    "TaskNode",
    "newer_input_paths",
    "shown_in_pre_order",
    "significant_params",
    "target_path",
    "task_key",
    "task_name",
    "task_unique_id",
    "uses_standard_logs",
    "walk",
    "will_rerun",
]


@dataclass
class LogFile:
    """A supplementary log file of a task and whether the batch found it."""

    target: Any
    exists: bool = False


@dataclass
class TaskNode:
    """A distinct task in the graph; `deps` are keys in `flatten(requires())` order (repeats kept)."""

    key: str
    task: luigi.Task
    name: str
    unique_id: str
    requires: Any
    deps: list[str]
    outputs: list[Any]
    output_exists: list[bool] = field(default_factory=list)
    complete: bool = False
    time_file: LogFile | None = None
    log_file: LogFile | None = None
    expired: list[ExpiredOutput] = field(default_factory=list)  # outputs past cache_expiration

    def missing_outputs(self) -> list[str]:
        return [
            target_path(t) for t, found in zip(self.outputs, self.output_exists, strict=True) if not found
        ]


def task_name(task: luigi.Task) -> str:
    return type(task).__name__


def task_unique_id(task: luigi.Task) -> str:
    """The kart unique id; plain luigi tasks (external data, say) are named by their luigi task id."""
    return unique_id_or_task_id(task)


def task_key(task: luigi.Task) -> str:
    return f"{task_name(task)}_{task_unique_id(task)}"


def _is_standard_kart_task(task: luigi.Task) -> bool:
    """True when completeness follows `TaskOnKart.complete` exactly, so it can be derived from the batch."""
    return isinstance(task, TaskOnKart) and type(task).complete is TaskOnKart.complete


def uses_standard_logs(task: luigi.Task) -> bool:
    return (
        isinstance(task, TaskOnKart)
        and type(task).get_processing_time is TaskOnKart.get_processing_time
        and type(task).get_task_log is TaskOnKart.get_task_log
    )


def _as_luigi_task(task: Any, parent: luigi.Task | None) -> luigi.Task:
    if not isinstance(task, luigi.Task):
        where = f" in the requires() of {task_name(parent)}" if parent is not None else ""
        raise NotATaskError(f"expected a luigi task{where}, got {type(task).__name__}: {task!r}")
    return task


class TaskGraph:
    """The distinct tasks reachable from `root` through `requires()`, with batched existence answers."""

    def __init__(self, root: luigi.Task) -> None:
        self.root_key = task_key(_as_luigi_task(root, None))
        self.nodes: dict[str, TaskNode] = {}
        self.post_order: list[str] = []
        self._collect(root)
        self._check_existence()
        self._derive_completeness()

    def __getitem__(self, key: str) -> TaskNode:
        return self.nodes[key]

    def __len__(self) -> int:
        return len(self.nodes)

    # --- the walk (iterative: deep chains must not hit the recursion limit) -----------------

    def _node_for(self, task: luigi.Task) -> tuple[TaskNode, list[luigi.Task]]:
        requires = task.requires()
        if isinstance(requires, Iterator):  # a generator can be read once: keep what it gave
            requires = list(requires)
        deps = [_as_luigi_task(dep, task) for dep in flatten(requires)]
        node = TaskNode(
            key=task_key(task),
            task=task,
            name=task_name(task),
            unique_id=task_unique_id(task),
            requires=requires,
            deps=[task_key(dep) for dep in deps],
            outputs=flatten(task.output()),
        )
        return node, deps

    def _collect(self, root: luigi.Task) -> None:
        first, first_deps = self._node_for(root)
        self.nodes[first.key] = first
        stack: list[tuple[TaskNode, list[luigi.Task], int]] = [(first, first_deps, 0)]
        while stack:
            node, deps, position = stack.pop()
            if position == len(deps):
                self.post_order.append(node.key)
                continue
            stack.append((node, deps, position + 1))
            key = node.deps[position]
            if key not in self.nodes:
                child, child_deps = self._node_for(deps[position])
                self.nodes[key] = child
                stack.append((child, child_deps, 0))

    # --- existence, in one batch --------------------------------------------------------------

    def _check_existence(self) -> None:
        """Outputs and log files of every task, asked of the storage in one `exists_many` call."""
        batch: list[kart_storage.TargetOnKart] = []
        answers: list[Callable[[bool], None]] = []

        def ask(target: kart_storage.TargetOnKart, answer: Callable[[bool], None]) -> None:
            batch.append(target)
            answers.append(answer)

        for key in self.post_order:
            node = self.nodes[key]
            node.output_exists = [False] * len(node.outputs)
            for index, target in enumerate(node.outputs):
                if isinstance(target, kart_storage.TargetOnKart):
                    ask(target, functools.partial(node.output_exists.__setitem__, index))
                else:
                    node.output_exists[index] = bool(target.exists())
            if uses_standard_logs(node.task):
                task = cast(TaskOnKart[Any], node.task)
                time_file = node.time_file = LogFile(task._get_processing_time_target())
                log_file = node.log_file = LogFile(task._get_task_log_target())
                ask(time_file.target, functools.partial(setattr, time_file, "exists"))
                ask(log_file.target, functools.partial(setattr, log_file, "exists"))
        for answer, exists in zip(answers, kart_storage.exists_many(batch), strict=True):
            answer(exists)

    def _inputs_of(self, node: TaskNode) -> Iterable[tuple[Any, bool]]:
        for dep in node.deps:
            dep_node = self.nodes[dep]
            yield from zip(dep_node.outputs, dep_node.output_exists, strict=True)

    def _derive_completeness(self) -> None:
        for key in self.post_order:  # dependencies before dependents
            node = self.nodes[key]
            node.complete = self._complete(node)

    def _complete(self, node: TaskNode) -> bool:
        task = node.task
        if not _is_standard_kart_task(task):
            with warnings.catch_warnings():
                warnings.filterwarnings(
                    "ignore", message=".*without outputs has no custom complete", category=UserWarning
                )
                return bool(task.complete())
        if will_rerun(task):
            return False
        return completeness_rule(
            task,
            outputs_exist=lambda: all(node.output_exists),
            inputs_ready=lambda: (
                all(self.nodes[dep].complete for dep in node.deps)
                and all(exists for _, exists in self._inputs_of(node))
            ),
            has_inputs=lambda: bool(node.deps),
            inputs_not_newer=lambda: not newer_input_paths(node, self),
            outputs_fresh=lambda: _fresh(node),
        )

    # --- supplementary logs -----------------------------------------------------------------

    def processing_time(self, key: str) -> float | str:
        node = self.nodes[key]
        if node.time_file is None:
            getter = getattr(node.task, "get_processing_time", None)
            value: float | str = getter() if getter is not None else "unknown"
            return value
        return float(node.time_file.target.load()) if node.time_file.exists else "unknown"

    def task_log(self, key: str) -> dict[str, Any]:
        node = self.nodes[key]
        if node.log_file is None:
            getter = getattr(node.task, "get_task_log", None)
            return dict(getter()) if getter is not None else {}
        in_memory: dict[str, Any] = getattr(node.task, "task_log", {})
        if in_memory:
            return dict(in_memory)
        return dict(node.log_file.target.load()) if node.log_file.exists else {}


def _fresh(node: TaskNode) -> bool:
    """No output past the task's cache_expiration; the expired ones are kept on the node for `explain`."""
    node.expired = expired_outputs(node.task, node.outputs)
    return not node.expired


def will_rerun(task: luigi.Task) -> bool:
    """`rerun=True` and the outputs not yet deleted by a first `complete()` call."""
    return bool(getattr(task, "_rerun_state", False))


def newer_input_paths(node: TaskNode, graph: TaskGraph) -> list[str]:
    """Paths of inputs modified after the oldest output (TaskOnKart's modification_time_check rule)."""
    inputs = [target for target, _ in graph._inputs_of(node)]
    return [target_path(t) for t in newer_inputs(inputs, node.outputs)]


def walk(task: luigi.Task) -> TaskGraph:
    return TaskGraph(task)


def shown_in_pre_order(graph: TaskGraph, ignore_task_names: Iterable[str] | None) -> list[str]:
    """Tasks reachable from the root without passing through a class named in `ignore_task_names`,
    each once, in pre-order."""
    ignored = frozenset(ignore_task_names or ())
    order: dict[str, None] = {}
    stack = [graph.root_key]
    while stack:
        key = stack.pop()
        if key in order:
            continue
        order[key] = None
        stack.extend(dep for dep in reversed(graph[key].deps) if graph[dep].name not in ignored)
    return list(order)


def significant_params(task: luigi.Task) -> dict[str, Any]:
    """gokart's `get_info(only_significant=True)`; luigi's parameter text for plain luigi tasks."""
    if isinstance(task, TaskOnKart):
        return dict(task.get_info(only_significant=True))
    return dict(task.to_str_params(only_significant=True))
