"""The completeness answers a worker prefetched, consulted by `TaskOnKart.complete()` while luigi schedules.

They are visible only inside `scheduling(...)`, which kart's worker opens around luigi's scheduling pass
(`Worker.add`): a context variable, so another thread's build, a task process's check right before
`run()` and anything after the build ask the store for real. Forked scheduling processes (luigi's
`parallel_scheduling`) inherit the answers with the rest of the forking thread's state.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Answers", "answer", "forget", "same_task", "scheduling"]


def same_task(known: Any, task: Any) -> bool:
    """`task` is the task asked about, or a copy of it (unpickled): luigi's own equality compares task
    ids only, which ignore insignificant parameters such as the workspace."""
    if known is task:
        return True
    if type(known) is not type(task):
        return False
    try:
        return bool(known.param_kwargs == task.param_kwargs)
    except Exception:  # a value without a plain equality (an array, a frame)
        return False


@dataclass(frozen=True)
class Answers:
    """task id -> (the task asked about, whether it was complete) for tasks whose answer is known."""

    known: Mapping[str, tuple[Any, bool]] = field(default_factory=dict)

    def complete_ids(self) -> list[str]:
        return [task_id for task_id, (_, complete) in self.known.items() if complete]

    def __len__(self) -> int:
        return len(self.known)


_current: ContextVar[Answers | None] = ContextVar("kart_prefetched_answers", default=None)


def answer(task: Any) -> bool | None:
    """The prefetched answer for `task` while scheduling; None (ask the store) otherwise.

    Keyed by luigi's task id, but only given to the very task asked about or a copy of it: of two tasks
    sharing a task id (an insignificant parameter differs), the other one gets no answer."""
    current = _current.get()
    if current is None:
        return None
    found = current.known.get(task.task_id)
    if found is None:
        return None
    known_task, complete = found
    if same_task(known_task, task):
        return complete
    return None


@contextlib.contextmanager
def scheduling(answers: Answers) -> Iterator[None]:
    """Make `answers` visible to `answer()` in this context for the length of the block."""
    token = _current.set(answers)
    try:
        yield
    finally:
        _current.reset(token)


def forget() -> None:
    """Drop any answers visible in this context (`kart_task.reset()`)."""
    _current.set(None)
