"""Which DataFrame library a task produces, read from its `TaskOnKart[T]` type argument."""

from __future__ import annotations

import functools
import sys
import typing
from typing import Any

from ._task_class import task_on_kart_class


def dataframe_type_of(cls: type) -> str:
    """'polars-lazy' for `TaskOnKart[pl.LazyFrame]`, 'polars' for another polars type, else 'pandas'.

    The argument is the one given to TaskOnKart itself, followed through generic bases as gokart does:
    `class Base(TaskOnKart[T])` then `class X(Base[pl.LazyFrame])` is lazy, while the argument of a
    generic subclass that TaskOnKart's own argument does not use changes nothing."""
    return _dataframe_type(cls)


def forget_dataframe_types() -> None:
    """Forget the answer kept per class (kart_task.reset())."""
    _dataframe_type.cache_clear()


@functools.lru_cache(maxsize=1024)  # asked at every make_target; a class's bases never change
def _dataframe_type(cls: type) -> str:
    argument = _task_on_kart_argument(cls, {})
    module = getattr(argument, "__module__", None) or ""
    if module.split(".")[0] != "polars":
        return "pandas"
    polars = sys.modules.get("polars")
    return "polars-lazy" if polars is not None and argument is polars.LazyFrame else "polars"


def _task_on_kart_argument(klass: type, bound: dict[Any, Any]) -> Any:
    """The type given to TaskOnKart on the way from `klass` to it (depth first, bases in order), with
    type variables replaced by what subclasses bound them to; None when there is none."""
    task_on_kart = task_on_kart_class()  # registered by `_task`, which imports this module
    for base in klass.__dict__.get("__orig_bases__", klass.__bases__):
        origin = typing.get_origin(base) or base
        if not isinstance(origin, type) or not issubclass(origin, task_on_kart):
            continue
        arguments = [
            bound.get(argument, argument) if isinstance(argument, typing.TypeVar) else argument
            for argument in typing.get_args(base)
        ]
        if origin is task_on_kart:
            if arguments:
                return arguments[0]
            continue
        parameters = getattr(origin, "__parameters__", ())
        found = _task_on_kart_argument(origin, dict(zip(parameters, arguments, strict=False)))
        if found is not None:
            return found
    return None
