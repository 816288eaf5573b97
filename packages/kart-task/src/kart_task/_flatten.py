"""gokart's flatten: the order in which dependencies and outputs are hashed and checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
K = TypeVar("K")

FlattenableItems = Any  # gokart: T | Iterable[FlattenableItems[T]] | dict[str, FlattenableItems[T]]


def flatten(items: Any) -> list[Any]:
    """None → []; dict → its values in order; str → itself; other iterables → their items, recursively."""
    if items is None:
        return []
    if isinstance(items, dict):
        items = items.values()
    elif isinstance(items, str):
        return [items]
    try:
        iterator = iter(items)
    except TypeError:
        return [items]
    flat: list[Any] = []
    for item in iterator:
        flat.extend(flatten(item))
    return flat


def map_flattenable_items(func: Callable[[Any], Any], items: Any) -> Any:
    """Apply `func` to every leaf, keeping dicts, lists and tuples as they are."""
    if isinstance(items, dict):
        return {key: map_flattenable_items(func, value) for key, value in items.items()}
    if isinstance(items, tuple):
        return tuple(map_flattenable_items(func, value) for value in items)
    if isinstance(items, list):
        return [map_flattenable_items(func, value) for value in items]
    return func(items)
