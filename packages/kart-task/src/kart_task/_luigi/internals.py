"""Small named doors to luigi internals that the rest of kart-task needs (see the package docstring).

Each function is the only place its luigi private name is read or written; each has a plain-Python answer
for a luigi that lacks the name, so a missing name degrades one feature instead of failing imports.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import luigi
import luigi.execution_summary
import luigi.retcodes
import luigi.task
import luigi.task_register

TaskClass = TypeVar("TaskClass", bound=type)

_REGISTER: Any = luigi.task_register.Register


# --- the task register ---------------------------------------------------------------------------


def _table() -> list[Any] | None:
    table = getattr(_REGISTER, "_reg", None)
    return table if isinstance(table, list) else None


def _all_subclasses(base: type) -> list[type]:
    found: list[type] = []
    pending = [base]
    while pending:
        subclasses: list[type] = pending.pop(0).__subclasses__()
        for sub in subclasses:
            if sub not in found:
                found.append(sub)
                pending.append(sub)
    return found


def registered_subclasses(base: type) -> list[type]:
    """The registered task/config classes deriving from `base` (not `base` itself), in the order they
    registered; without luigi's table, the live subclasses of `base`."""
    table = _table()
    if table is None:
        return _all_subclasses(base)
    return [cls for cls in table if isinstance(cls, type) and issubclass(cls, base) and cls is not base]


class RegisterView:
    """A value computed from the register table, recomputed only when the table changed.

    luigi appends to the table when a class is created and replaces it when classes are forgotten, so
    the list object and its length together tell whether a class registered or left since last time
    (the list itself is held, so its identity cannot be reused by another list)."""

    def __init__(self, compute: Callable[[], Any]) -> None:
        self._compute = compute
        self._key: tuple[object, int] | None = None
        self._value: Any = None

    def get(self) -> Any:
        table = _table()
        if table is None:  # no table to watch: compute each time
            return self._compute()
        key = self._key
        if key is None or key[0] is not table or key[1] != len(table):
            self._value = self._compute()
            self._key = (table, len(table))
        return self._value

    def reset(self) -> None:
        self._key = None
        self._value = None


def keep_registered(keep: Callable[[Any], bool]) -> None:
    """Forget every registered class for which `keep(cls)` is false (nothing to forget without a table)."""
    table = _table()
    if table is not None:
        _REGISTER._reg = [cls for cls in table if keep(cls)]


# --- events, run results ---------------------------------------------------------------------------


def remove_event_handler(event: str, callback: Callable[..., Any]) -> None:
    """Undo `luigi.Task.event_handler(event)(callback)`; luigi's own `remove_event_handler` raises when
    the callback is not registered (here: nothing happens)."""
    table: Any = getattr(luigi.Task, "_event_callbacks", None)
    if isinstance(table, dict):
        table.get(luigi.Task, {}).get(event, set()).discard(callback)


def task_history(worker: Any) -> list[tuple[Any, str, bool]] | None:
    """The (task, status, runnable) records a luigi worker kept of the tasks it added, or None."""
    history = getattr(worker, "_add_task_history", None)
    return None if history is None else list(history)


def partition_tasks(worker: Any) -> dict[str, set[Any]]:
    """luigi's execution summary sets of a worker ('completed', 'failed', 'already_done', ...)."""
    sets: dict[str, set[Any]] = luigi.execution_summary._partition_tasks(worker)
    return sets


def summary_sets(worker: Any) -> dict[str, Any]:
    """luigi's summary dictionary of a worker: the task sets its execution summary reports."""
    summary: dict[str, Any] = luigi.execution_summary._summary_dict(worker)
    return summary


def root_task(worker: Any) -> Any:
    """The first task the worker was given (what luigi's summary calls the root)."""
    return luigi.execution_summary._root_task(worker)


def set_retcodes(codes: Iterable[tuple[str, int]]) -> None:
    """Make the exit codes luigi's `retcode` config gives when nothing configures them (process-wide)."""
    for name, code in codes:
        setattr(luigi.retcodes.retcode, name, code)


# --- class wrapping ------------------------------------------------------------------------------


def task_wraps(task_class: type) -> Callable[[TaskClass], TaskClass]:
    """A class decorator making a wrapper class pass for `task_class` (name, module, docs, namespace), as
    luigi's own decorators (`@inherits`, `@requires`) do."""
    wraps = getattr(luigi.task, "_task_wraps", None)
    if wraps is not None:
        decorator: Callable[[TaskClass], TaskClass] = wraps(task_class)
        return decorator
    assigned = (*functools.WRAPPER_ASSIGNMENTS, "_namespace_at_class_time")
    return functools.wraps(task_class, assigned=assigned, updated=[])  # type: ignore[return-value]
