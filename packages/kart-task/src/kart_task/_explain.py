"""Why will this run? The tasks a build would run and the reasons, found without running anything.

A task runs when it is not complete and every task between it and the root is not complete either
(luigi does not look below a complete task). Completeness comes from one batched existence check
(see `_tree_walk`); nothing is deleted, so `rerun=True` tasks are reported, not rerun.
"""

from __future__ import annotations

import datetime
import glob
import os
import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, cast

import luigi

import kart_storage

from ._expiry import describe, expiration_of
from ._identity import unique_id_or_task_id
from ._task import TaskOnKart
from ._tree_walk import TaskGraph, TaskNode, newer_input_paths, target_path, walk, will_rerun

OUTPUT_MISSING = "output missing"
RERUN = "rerun=True"
DEPENDENCY_WILL_RUN = "a dependency will run"
INPUT_NEWER = "an input is newer than the output"
CODE_CHANGED = "code changed"
NOT_COMPLETE = "complete() returned False"
EXTERNAL_MISSING = "external data missing"
EXPIRED = "output older than cache_expiration"

_UNIQUE_ID = re.compile(r"[0-9a-f]{32}")


class RunReason(NamedTuple):
    """One reason why `task` would run; a task has one record per reason."""

    task: luigi.Task
    reason: str
    detail: str


def _label(node: TaskNode) -> str:
    return f"{node.name}[{node.unique_id}]"


def _is_external(task: luigi.Task) -> bool:
    """luigi.ExternalTask and friends: `run` is None."""
    return getattr(task, "run", None) is None


def _would_run(graph: TaskGraph) -> set[str]:
    running: set[str] = set()
    stack = [graph.root_key]
    while stack:
        key = stack.pop()
        if key in running or graph[key].complete:
            continue
        running.add(key)
        stack.extend(graph[key].deps)
    return running


def _same_parameters_elsewhere(node: TaskNode, missing_path: str) -> tuple[str, str] | None:
    """(earlier id, its output) when an output of this task with the same parameters exists under
    another id: what a code change does to a task under serialized_task_definition_check.

    Local workspaces only (other stores would need listing); the earlier parameters come from the
    `log/task_params` file every run writes."""
    task = cast(TaskOnKart[Any], node.task)  # the caller asked isinstance
    marker = f"_{node.unique_id}"
    if marker not in missing_path:
        return None
    if not isinstance(kart_storage.filesystem_for(missing_path), kart_storage.LocalFileSystem):
        return None
    head, _, tail = missing_path.rpartition(marker)
    params_path = task._get_task_params_target().path()
    current = task.to_str_params(only_significant=True)
    for candidate in sorted(glob.glob(f"{glob.escape(head)}_*{glob.escape(tail)}")):
        other = candidate[len(head) + 1 : len(candidate) - len(tail)]
        if other == node.unique_id or not _UNIQUE_ID.fullmatch(other):
            continue
        other_params = params_path.replace(node.unique_id, other)
        if not os.path.exists(other_params):
            continue
        try:
            recorded = kart_storage.make_target(other_params).load()
        except kart_storage.KartStorageError:
            continue
        if recorded == current:
            return other, candidate
    return None


def _expired_reason(node: TaskNode) -> RunReason:
    """`output older than cache_expiration 7 days: written 2026-11-26 04:00:00 UTC (path)`."""
    expiration = expiration_of(node.task)
    reason = f"{EXPIRED} {describe(expiration)}" if expiration is not None else EXPIRED
    written = [
        f"written {item.written.astimezone(datetime.UTC):%Y-%m-%d %H:%M:%S} UTC ({target_path(item.target)})"
        for item in node.expired
    ]
    return RunReason(node.task, reason, "; ".join(written))


def _reasons(graph: TaskGraph, node: TaskNode, running: set[str]) -> list[RunReason]:
    task = node.task
    if _is_external(task):  # nothing can make it: the build fails
        missing = [
            target_path(t) for t, found in zip(node.outputs, node.output_exists, strict=True) if not found
        ]
        detail = ", ".join(missing) or f"{type(task).__name__}.complete() is False"
        return [RunReason(task, EXTERNAL_MISSING, f"{detail} (nothing can make it: the build will fail)")]
    reasons: list[RunReason] = []
    if will_rerun(task):
        reasons.append(RunReason(task, RERUN, "its outputs are deleted and rebuilt"))
    missing = node.missing_outputs()
    if missing:
        earlier = None
        if isinstance(task, TaskOnKart) and task.serialized_task_definition_check:
            earlier = _same_parameters_elsewhere(node, missing[0])
        if earlier is not None:
            detail = (
                f"no output under the current id ({', '.join(missing)}), but {earlier[1]} was made with the "
                f"same parameters under id {earlier[0]}: the code of {node.name} or of a task it depends on "
                "changed (serialized_task_definition_check)"
            )
            reasons.append(RunReason(task, CODE_CHANGED, detail))
        elif not will_rerun(task):
            reasons.append(RunReason(task, OUTPUT_MISSING, ", ".join(missing)))
    if node.expired and not missing and not will_rerun(task):
        reasons.append(_expired_reason(node))
    dependencies = [
        dep for dep in dict.fromkeys(node.deps) if dep in running and not _is_external(graph[dep].task)
    ]
    if dependencies:
        names = ", ".join(_label(graph[dep]) for dep in dependencies)
        reasons.append(RunReason(task, DEPENDENCY_WILL_RUN, names))
    check_times = isinstance(task, TaskOnKart) and task.modification_time_check
    inputs_present = all(all(graph[dep].output_exists) for dep in node.deps)
    if check_times and not missing and not will_rerun(task) and inputs_present:
        newer = newer_input_paths(node, graph)
        if newer:
            reasons.append(RunReason(task, INPUT_NEWER, ", ".join(newer)))
    if not reasons:
        reasons.append(RunReason(task, NOT_COMPLETE, f"{type(task).__name__}.complete() is False"))
    return reasons


def explain(task: luigi.Task) -> list[RunReason]:
    """Every task a build of `task` would run, dependencies first, each with all its reasons.

    Runs nothing and deletes nothing; only tasks with their own `complete()` method are asked
    through it (their answer cannot be derived from files)."""
    graph = walk(task)
    running = _would_run(graph)
    records: list[RunReason] = []
    for key in graph.post_order:
        if key in running:
            records.extend(_reasons(graph, graph[key], running))
    return records


def format_explanation(records: Sequence[RunReason] | Iterable[RunReason]) -> str:
    """Text for a command-line option: one block per task, one `- reason: detail` line per reason."""
    items = list(records)
    if not items:
        return "Nothing would run: every task needed is complete."
    blocks: dict[int, list[RunReason]] = {}
    for record in items:
        blocks.setdefault(id(record.task), []).append(record)
    count = len(blocks)
    lines = [f"{count} task{'s' if count != 1 else ''} would run:"]
    for group in blocks.values():
        task = group[0].task
        lines.append(f"{type(task).__name__}[{unique_id_or_task_id(task)}]")
        lines += [f"  - {record.reason}: {record.detail}" for record in group]
    return "\n".join(lines)
