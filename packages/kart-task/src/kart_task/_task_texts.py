"""A task's text as a task-valued parameter (gokart's `{"type": family, "params": <bz2 hex>}`), computed once
per task for all its holders, and how huge nested texts are let go without changing any id.

Each level of a chain of TaskInstanceParameters packs the whole text below it, so texts grow with the
square of the depth: a depth-300 chain makes 150 MB of them, which gokart keeps for the life of the graph.
Here a text under `LARGE` characters stays on its task; a larger one stays only when its nesting depth is
a multiple of `CHECKPOINT` (so rebuilding a dropped one costs at most `CHECKPOINT - 1` compressions from
the kept one below it) and otherwise lives in a small process-wide cache of recent texts.

The unique id hashes the parameter texts, so it is worked out while they are at hand: when a task's text
is made from parameters holding a large text, the id those parameters give is recorded with the
dependency ids it was computed from. Asked later, the id is the recorded one when the dependencies'
ids (computed then, as always) and the class are unchanged; otherwise it is computed from the texts.
Only tasks using TaskOnKart's own `requires()` and id methods are recorded (calling them early is free
of side effects); the recorded id is the one the texts would give, so ids stay gokart's to the byte.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Any

import luigi

import kart_hash

from ._build_memo import requirements
from ._flatten import flatten
from ._task_class import task_on_kart_class

#: texts at least this long (characters) are not kept by every holder and every level
LARGE = 256 * 1024
#: a large text is kept on its task when the task's nesting depth is a multiple of this
CHECKPOINT = 16
#: bytes of large texts kept in the recent-texts cache
RECENT_BUDGET = 16 * 1024 * 1024

STR_PARAMS_CACHE = "_kart_str_params_cache"
STR_RESULTS_CACHE = "_kart_str_params_results"
_OWN_TEXT = "_kart_own_text"
_DEPTH = "_kart_nesting_depth"
_RECORDED_ID = "_kart_recorded_unique_id"
# TaskOnKart methods the recorded id relies on: a subclass overriding any of them is never recorded
_ID_METHODS = (
    "requires",
    "make_task_instance_dictionary",
    "is_task_on_kart",
    "make_unique_id",
    "_make_hash_id",
)


class _RecentTexts:
    """Least-recently-used large texts by task, within a byte budget; a collected task's entry goes."""

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._size = 0
        self._entries: OrderedDict[int, tuple[weakref.ref[Any], str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, task: Any) -> str | None:
        with self._lock:
            entry = self._entries.get(id(task))
            if entry is None or entry[0]() is not task:
                return None
            self._entries.move_to_end(id(task))
            return entry[1]

    def put(self, task: Any, text: str) -> None:
        key = id(task)
        with self._lock:
            self._drop(key)
            self._entries[key] = (weakref.ref(task, lambda ref: self._forget(key, ref)), text)
            self._size += len(text)
            while self._size > self._budget and len(self._entries) > 1:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    def _forget(self, key: int, ref: weakref.ref[Any]) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] is ref:
                self._drop(key)

    def _drop(self, key: int) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._size -= len(entry[1])


_recent = _RecentTexts(RECENT_BUDGET)


def reset() -> None:
    """Forget the recent large texts (kart_task.reset())."""
    _recent.clear()


def own_text(task: Any) -> str:
    """gokart's text of `task` as a TaskInstanceParameter value; made once per task, not per holder."""
    state: dict[str, Any] | None = task.__dict__ if isinstance(task, luigi.Task) else None
    if state is not None:
        kept = state.get(_OWN_TEXT)
        if kept is None:
            kept = _recent.get(task)
        if kept is not None:
            return str(kept)
    params: dict[str, Any] = task.to_str_params(only_significant=True)  # first: a non-task fails here
    text = kart_hash.task_parameter_text(task.get_task_family(), params)
    if state is None:
        return text
    depth = 1 + max((_depth(held) for held in _held_tasks(task)), default=0)
    state[_DEPTH] = depth
    if len(text) < LARGE or depth % CHECKPOINT == 0:
        state[_OWN_TEXT] = text
    else:
        _recent.put(task, text)
    if any(isinstance(value, str) and len(value) >= LARGE for value in params.values()):
        _record_unique_id(task, params)
    return text


def recorded_unique_id(task: Any, dependencies: list[str | dict[str, str] | None]) -> str | None:
    """The id recorded for `task`, if it was computed from these dependency entries and this class."""
    record: tuple[tuple[str | None, ...], str, str] | None = task.__dict__.get(_RECORDED_ID)
    if record is None or not _recordable(task):
        return None
    entries, class_name, unique_id = record
    if class_name != type(task).__name__ or list(entries) != dependencies:
        return None
    return unique_id


def _held_tasks(task: Any) -> list[Any]:
    held: list[Any] = []
    for value in task.param_kwargs.values():
        if isinstance(value, luigi.Task):
            held.append(value)
        elif isinstance(value, tuple):
            held.extend(item for item in value if isinstance(item, luigi.Task))
    return held


def _depth(task: Any) -> int:
    return int(task.__dict__.get(_DEPTH, 0))


def _recordable(task: Any) -> bool:
    base = task_on_kart_class()
    if not isinstance(task, base) or task.serialized_task_definition_check:
        return False
    cls = type(task)
    return all(getattr(cls, name) is getattr(base, name) for name in _ID_METHODS)


def _record_unique_id(task: Any, params: dict[str, Any] | None) -> str | None:
    """The id `task` would get now (and recorded), or None when a dependency's id is not at hand."""
    state = task.__dict__
    if getattr(task, "task_unique_id", None):
        return str(task.task_unique_id)
    if params is None:
        record = state.get(_RECORDED_ID)
        if record is not None:
            return str(record[2])
        cached = state.get(STR_RESULTS_CACHE, {}).get((True, False))
        if cached is None:
            return None
        params = cached
    if not _recordable(task):
        return None
    base = task_on_kart_class()
    entries: list[str | None] = []
    try:
        for dependency in flatten(requirements(task)):
            if not isinstance(dependency, base):
                return None
            if not dependency.significant:
                entries.append(None)
                continue
            known = _record_unique_id(dependency, None)
            if known is None:
                return None
            entries.append(known)
    except RecursionError:
        return None
    unique_id = kart_hash.unique_id(entries, params, type(task).__name__, None)
    state[_RECORDED_ID] = (tuple(entries), type(task).__name__, unique_id)
    return unique_id
