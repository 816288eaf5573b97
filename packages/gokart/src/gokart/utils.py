"""gokart.utils: add_config, flatten and friends, defined in kart-task."""

from typing import IO, Any, TypeVar

from kart_task import (
    FlattenableItems,
    TaskOnKart,
    add_config,
    dataframe_type_of,
    flatten,
    map_flattenable_items,
)

T = TypeVar("T")
K = TypeVar("K")
FileLike = IO[Any]


def get_dataframe_type_from_task(task: TaskOnKart[Any] | type[TaskOnKart[Any]]) -> str:
    """'pandas', 'polars' or 'polars-lazy', from the type argument of TaskOnKart[...]."""
    return dataframe_type_of(task if isinstance(task, type) else type(task))


__all__ = [
    "FileLike",
    "FlattenableItems",
    "K",
    "T",
    "add_config",
    "flatten",
    "get_dataframe_type_from_task",
    "map_flattenable_items",
]
