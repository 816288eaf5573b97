"""Column type checks on dumped DataFrames, configured per task namespace (gokart's PandasTypeConfig)."""

from __future__ import annotations

from typing import Any, cast

import luigi
import pandas as pd

from ._errors import KartTaskError
from ._luigi.internals import RegisterView, registered_subclasses


class PandasTypeError(KartTaskError):
    """A dumped DataFrame has a value of the wrong type in a checked column."""


class PandasTypeConfig(luigi.Config):
    """Subclass, set `task_namespace` (optional) and return `{column: type}` from `type_dict()`."""

    @classmethod
    def type_dict(cls) -> dict[str, Any]:
        """`{column: type}` the dumped DataFrames of this namespace must hold; override it."""
        return {}

    @classmethod
    def check(cls, df: pd.DataFrame) -> None:
        """Raise PandasTypeError naming the first column holding a value of another type."""
        for column, expected in cls.type_dict().items():
            if column not in df.columns:
                continue
            for value in df[column]:
                if not isinstance(value, expected):
                    raise PandasTypeError(
                        f'expected type is "{expected}", but "{type(value)}" is passed in column "{column}".'
                    )


class PandasTypeConfigMap(luigi.Config):
    """Which PandasTypeConfig applies to which task namespace (the last registered one wins)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._configs = _configs_by_namespace()

    def check(self, obj: Any, task_namespace: str | None) -> None:
        """Check `obj` with the PandasTypeConfig of `task_namespace`, if there is one."""
        if isinstance(obj, pd.DataFrame) and task_namespace in self._configs:
            self._configs[task_namespace].check(obj)


def _scan_configs() -> dict[str | None, type[PandasTypeConfig]]:
    configs: dict[str | None, type[PandasTypeConfig]] = {}
    for cls in registered_subclasses(PandasTypeConfig):
        config = cast(type[PandasTypeConfig], cls)
        configs[config.task_namespace] = config
    return configs


#: the configs by namespace, scanned again only when a class registered or left luigi's register
_CONFIGS = RegisterView(_scan_configs)


def _configs_by_namespace() -> dict[str | None, type[PandasTypeConfig]]:
    configs: dict[str | None, type[PandasTypeConfig]] = _CONFIGS.get()
    return configs


def check_pandas_types(obj: Any, task_namespace: str | None) -> None:
    """Check `obj` against the config of its namespace, as registered now (gokart used a first-dump
    snapshot, so configs defined after the first dump were silently ignored)."""
    if not isinstance(obj, pd.DataFrame):
        return
    config = _configs_by_namespace().get(task_namespace)
    if config is not None:
        config.check(obj)
