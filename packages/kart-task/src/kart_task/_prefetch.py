"""Completeness prefetch: every output of a graph asked of the store at once, before luigi schedules.

luigi's worker asks `complete()` task by task while it schedules: one request (or more) per task on
S3 or GCS. The prefetch walks the graph once and asks `kart_storage.exists_many` about every output
(one batched call, per file system one listing per prefix), then derives each task's completeness
with gokart's rule (`completeness_rule`), as `TaskOnKart.complete()` would.

Only tasks whose answer that derivation gives exactly are answered: TaskOnKart subclasses that keep
TaskOnKart's `complete()`, whose outputs are kart targets, without `rerun` (its first `complete()`
deletes the outputs) and without `modification_time_check` (it needs modification times); a
`strict_check` task only when every requirement's answer is known. A task with `cache_expiration` is
answered only when an output is missing (the listing gives no modification times): with every output
present, its own `complete()` asks how old they are. Every other task keeps its own `complete()`.
If the root is complete by itself, nothing else is walked: luigi will not look below it.

A positive answer is final (outputs are written once); a negative one only spares luigi's scheduling
pass a request: kart's worker checks a task for real right before running it. When the walk fails
(a `requires()` that raises, a store that refuses), there is no prefetch and luigi finds the same
failure by itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import luigi

import kart_storage

from ._build_memo import requirements
from ._completeness import completeness_rule
from ._flatten import flatten
from ._prefetch_answers import Answers, same_task
from ._task import TaskOnKart

__all__ = ["prefetch"]

logger = logging.getLogger("gokart.prefetch")


class _Unknown(Exception):
    """A question the batch cannot answer: the task keeps its own complete()."""


@dataclass
class _Node:
    task: luigi.Task
    deps: list[_Node] = field(default_factory=list)
    outputs: list[Any] | None = None  # None: not a task the prefetch answers
    exists: list[bool] = field(default_factory=list)
    complete: bool | None = None


def _answerable(task: luigi.Task) -> bool:
    """TaskOnKart's own complete(), without the settings whose answer the batch cannot give."""
    return (
        isinstance(task, TaskOnKart)
        and type(task).complete is TaskOnKart.complete
        and not task._rerun_state
        and not task.modification_time_check
    )


def _kart_outputs(task: luigi.Task) -> list[Any] | None:
    try:
        outputs = flatten(task.output())
    except Exception:
        # A settings error (wrong redis_timeout, verify_integrity, empty workspace): unanswered here, so
        # the task's own complete() raises it in luigi's pass, where the build reports it; the rest of
        # the tree is still prefetched.
        logger.debug("outputs of %s unknown; left to its complete()", task.task_id, exc_info=True)
        return None
    if all(isinstance(target, kart_storage.TargetOnKart) for target in outputs):
        return outputs
    return None


def _requirements(task: luigi.Task) -> list[luigi.Task]:
    requires = requirements(task)
    if isinstance(requires, Iterator):
        requires = list(requires)
    return [dep for dep in flatten(requires) if isinstance(dep, luigi.Task)]


class _Graph:
    """The distinct tasks under a root (by luigi task id), dependencies before dependents."""

    def __init__(self, root: luigi.Task) -> None:
        self.post_order: list[_Node] = []
        self.ambiguous: set[str] = set()
        self._seen: dict[str, _Node] = {}
        self._walk(root)

    def _node(self, task: luigi.Task) -> tuple[_Node, bool]:
        """The node of `task` and whether it is new."""
        known = self._seen.get(task.task_id)
        if known is not None:
            if same_task(known.task, task):
                return known, False
            self.ambiguous.add(task.task_id)  # same id, other parameters: walked, never answered
        node = _Node(task, outputs=_kart_outputs(task) if _answerable(task) else None)
        self._seen.setdefault(task.task_id, node)
        return node, True

    def _walk(self, root: luigi.Task) -> None:
        first, _ = self._node(root)
        stack: list[tuple[_Node, list[luigi.Task], int]] = [(first, _requirements(root), 0)]
        while stack:
            node, deps, position = stack.pop()
            if position == len(deps):
                self.post_order.append(node)
                continue
            stack.append((node, deps, position + 1))
            child, new = self._node(deps[position])
            node.deps.append(child)
            if new:
                stack.append((child, _requirements(child.task), 0))

    def ask_store(self) -> None:
        batch: list[Any] = []
        for node in self.post_order:
            if node.outputs is not None:
                batch.extend(node.outputs)
        found = iter(kart_storage.exists_many(batch))
        for node in self.post_order:
            if node.outputs is not None:
                node.exists = [next(found) for _ in node.outputs]

    def derive(self) -> None:
        for node in self.post_order:  # dependencies first
            if node.outputs is not None:
                try:
                    node.complete = _rule(node)
                except _Unknown:
                    node.complete = None

    def answers(self) -> Answers:
        return Answers(
            {
                node.task.task_id: (node.task, node.complete)
                for node in self.post_order
                if node.complete is not None and node.task.task_id not in self.ambiguous
            }
        )


def _unknown() -> bool:
    raise _Unknown()


def _inputs_ready(node: _Node) -> bool:
    """strict_check: every requirement complete and every input present, from the batch."""
    ready = True
    for dep in node.deps:
        if dep.complete is None:
            raise _Unknown()
        ready = ready and dep.complete and all(dep.exists)
    return ready


def _rule(node: _Node) -> bool:
    return completeness_rule(
        node.task,
        outputs_exist=lambda: all(node.exists),
        inputs_ready=lambda: _inputs_ready(node),
        has_inputs=_unknown,  # asked only under modification_time_check, never answered here
        inputs_not_newer=_unknown,
        outputs_fresh=_unknown,  # asked only of a cache_expiration task whose outputs all exist
    )


def _root_alone(root: luigi.Task) -> Answers | None:
    """The root's answer when it is complete by its own outputs (luigi then looks no further)."""
    if not _answerable(root) or getattr(root, "strict_check", True):
        return None
    if getattr(root, "cache_expiration", None) is not None:  # its outputs' age is not in the listing
        return None
    outputs = _kart_outputs(root)
    if outputs is None or not all(kart_storage.exists_many(outputs)):
        return None
    return Answers({root.task_id: (root, True)})


def prefetch(root: Any) -> Answers:
    """Completeness of every answerable task under `root`, from one batched existence check."""
    if not isinstance(root, luigi.Task):  # luigi refuses it with its own message
        return Answers()
    started = time.perf_counter()
    try:
        answers = _root_alone(root)
        if answers is None:
            graph = _Graph(root)
            graph.ask_store()
            graph.derive()
            answers = graph.answers()
    except Exception:  # luigi's own pass meets the same failure and reports it as it always did
        logger.debug("completeness prefetch of %s skipped", root.task_id, exc_info=True)
        return Answers()
    logger.debug(
        "prefetched completeness of %d tasks (%d complete) in %.3f s",
        len(answers),
        len(answers.complete_ids()),
        time.perf_counter() - started,
    )
    return answers
