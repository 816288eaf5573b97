"""Which DataFrame library a task produces, read from its `TaskOnKart[T]` type argument."""

from __future__ import annotations

import typing


def dataframe_type_of(cls: type) -> str:
    """'polars' when a base is `TaskOnKart[polars.DataFrame]` (or LazyFrame), else 'pandas'."""
    for klass in cls.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            for argument in typing.get_args(base):
                module = getattr(argument, "__module__", "") or ""
                if module.split(".")[0] == "polars":
                    return "polars"
    return "pandas"
