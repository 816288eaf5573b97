"""gokart.utils: add_config, flatten and friends, defined in kart-task."""

from io import BytesIO
from typing import Any, Protocol, TypeVar, cast

import dill  # type: ignore[import-untyped]
import pandas as pd

from kart_task import (
    FlattenableItems,
    TaskOnKart,
    add_config,
    dataframe_type_of,
    map_flattenable_items,
)
from kart_task import flatten as _flatten

T = TypeVar("T")
K = TypeVar("K")


class FileLike(Protocol):
    """What the pickle readers need of a file."""

    def read(self, n: int) -> bytes: ...

    def readline(self) -> bytes: ...

    def seek(self, offset: int) -> None: ...

    def seekable(self) -> bool: ...


def flatten(targets: FlattenableItems) -> list[Any]:
    """The leaves of nested dicts, lists and tuples, in order (gokart's parameter name: `targets`)."""
    return _flatten(targets)


def _resolve_type_var(type_arg: Any, substitutions: dict[TypeVar, Any]) -> Any:
    """A TypeVar replaced by what `substitutions` binds it to (one step); anything else unchanged."""
    if isinstance(type_arg, TypeVar):
        return substitutions.get(type_arg, type_arg)
    return type_arg


def get_dataframe_type_from_task(task: TaskOnKart[Any] | type[TaskOnKart[Any]]) -> str:
    """'pandas', 'polars' or 'polars-lazy', from the type argument of TaskOnKart[...]."""
    return dataframe_type_of(task if isinstance(task, type) else type(task))


def load_dill_with_pandas_backward_compatibility(file: FileLike | BytesIO) -> Any:
    """Unpickle with dill; a pickle that dill cannot read is retried with pandas' reader, which knows
    the class layouts of older pandas versions (the file must be seekable for that)."""
    try:
        return dill.load(file)
    except Exception:
        if not file.seekable():
            raise AssertionError(f"{file} is not seekable.") from None
        file.seek(0)
        return pd.read_pickle(cast(Any, file))


__all__ = [
    "FileLike",
    "FlattenableItems",
    "K",
    "T",
    "add_config",
    "flatten",
    "get_dataframe_type_from_task",
    "load_dill_with_pandas_backward_compatibility",
    "map_flattenable_items",
]
