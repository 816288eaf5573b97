"""A task's `requires()` (and its class's parameter list), computed once for the length of a build.

luigi and gokart ask a task for its requirements many times in one build: the unique id (the output
path), the completeness prefetch's walk, luigi's scheduling (`deps()`), `input()` when the task runs.
A root over thousands of tasks constructs all of them at every call. luigi already assumes a task's
requirements do not change within a build (it schedules from one answer and runs with another), so
kart's worker opens `remembered()` around its scheduling and running and the answer of the first call
is reused. Outside a build (and for a `requires()` that returns a generator, or raises) every call
reaches `requires()`. A class's parameter list (`class_params`, asked about nine times per task) is
likewise checked against the class once per build instead of at every call, and the parameter
values luigi resolves twice per new task (its instance cache's key, then `Task.__init__`) are resolved
once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Memo", "class_memo", "forget", "per_task", "remembered", "requirements", "resolved_once"]


@dataclass
class Memo:
    """What one build remembers."""

    #: id(task) -> (task, what its requires() returned); the task is held so that its id stays its own
    requires: dict[int, tuple[Any, Any]] = field(default_factory=dict)
    #: class -> its parameter list, checked against the class once in this build
    params: dict[type, Any] = field(default_factory=dict)
    #: (id(task), what) -> (task, value): other per-task answers a build asks for repeatedly
    values: dict[tuple[int, str], tuple[Any, Any]] = field(default_factory=dict)
    #: the last resolution of parameter values: (class, params, args, kwargs, values), for the next call
    last_values: tuple[type, Any, tuple[Any, ...], dict[str, Any], Any] | None = None


_current: ContextVar[Memo | None] = ContextVar("kart_requirements_memo", default=None)


def class_memo() -> dict[type, Any] | None:
    """The build's class -> parameter list memo, None outside a build."""
    memo = _current.get()
    return None if memo is None else memo.params


def _copy(result: Any) -> Any:
    """A caller that extends the list it got must not change the answer the next caller gets."""
    if isinstance(result, list):
        return list(result)
    if isinstance(result, dict):
        return dict(result)
    return result


def _same_arguments(known: tuple[Any, ...], args: tuple[Any, ...]) -> bool:
    return len(known) == len(args) and all(a is b for a, b in zip(known, args, strict=True))


def resolved_once(
    cls: type, params: Any, args: Sequence[Any], kwargs: dict[str, Any], resolve: Callable[[], Any]
) -> Any:
    """`resolve()`, or inside a build the values just resolved for the same class and the very same
    argument objects (luigi's `Register.__call__` and then `Task.__init__` ask for them in turn)."""
    memo = _current.get()
    if memo is None:
        return resolve()
    last, memo.last_values = memo.last_values, None
    if (
        last is not None
        and last[0] is cls
        and last[1] == params
        and _same_arguments(last[2], tuple(args))
        and last[3].keys() == kwargs.keys()
        and all(last[3][name] is value for name, value in kwargs.items())
    ):
        return list(last[4])
    values = resolve()
    memo.last_values = (cls, list(params), tuple(args), dict(kwargs), values)
    return list(values)


def per_task(task: Any, what: str, compute: Callable[[], Any]) -> Any:
    """`compute()`, remembered for `task` inside a build (for answers derived from its requirements,
    such as the outputs of its required tasks, which every dump of the task labels GCS objects with)."""
    memo = _current.get()
    if memo is None:
        return compute()
    key = (id(task), what)
    found = memo.values.get(key)
    if found is not None and found[0] is task:
        return found[1]
    value = compute()
    memo.values[key] = (task, value)
    return value


def requirements(task: Any) -> Any:
    """`task.requires()`, remembered inside `remembered(...)`."""
    memo = _current.get()
    if memo is None:
        return task.requires()
    found = memo.requires.get(id(task))
    if found is not None and found[0] is task:
        return _copy(found[1])
    result = task.requires()
    if isinstance(result, Iterator):  # consumed by its first reader: nothing to hand the next one
        return result
    memo.requires[id(task)] = (task, result)
    return _copy(result)


@contextlib.contextmanager
def remembered(memo: Memo) -> Iterator[None]:
    """Answers of `requirements()` in this block are kept in (and taken from) `memo`."""
    token = _current.set(memo)
    try:
        yield
    finally:
        _current.reset(token)


def forget() -> None:
    """Drop any memo visible in this context (`kart_task.reset()`)."""
    _current.set(None)
