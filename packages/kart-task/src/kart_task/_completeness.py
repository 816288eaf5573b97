"""gokart's completeness rules, written once: `TaskOnKart.complete()` answers them by asking the storage,
the task-tree walk from its one batched existence check."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


def target_path(target: Any) -> str:
    """kart targets have a path() method; luigi's own targets a `path` attribute; else the repr."""
    path = getattr(target, "path", None)
    if callable(path):
        return str(path())
    return str(path) if path is not None else repr(target)


def completeness_rule(
    task: Any,
    *,
    outputs_exist: Callable[[], bool],
    inputs_ready: Callable[[], bool],
    has_inputs: Callable[[], bool],
    inputs_not_newer: Callable[[], bool],
    outputs_fresh: Callable[[], bool] = lambda: True,
) -> bool:
    """gokart's completeness rule (after `rerun`), given how to answer each question; kart adds
    `cache_expiration` (`outputs_fresh`, asked only of a task with one whose outputs all exist)."""
    done = outputs_exist()
    if done and getattr(task, "cache_expiration", None) is not None:
        done = outputs_fresh()
    if done and (task.strict_check or task.modification_time_check):
        done = inputs_ready()
    if not task.modification_time_check or not done or not has_inputs():
        return done
    return inputs_not_newer()


def newer_inputs(inputs: Sequence[Any], outputs: Sequence[Any]) -> list[Any]:
    """The modification-time rule (`modification_time_check`): the inputs modified after the oldest
    output. A target that is both an input and an output is left out of both sides; with no inputs or
    no outputs left, nothing is newer."""
    shared = {target_path(t) for t in inputs} & {target_path(t) for t in outputs}
    own_inputs = [t for t in inputs if target_path(t) not in shared]
    own_outputs = [t for t in outputs if target_path(t) not in shared]
    if not own_inputs or not own_outputs:
        return []
    oldest_output = min(t.last_modification_time() for t in own_outputs)
    return [t for t in own_inputs if t.last_modification_time() > oldest_output]
