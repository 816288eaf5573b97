"""A class decorator that feeds a luigi.Config's values into same-named task parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import luigi

from ._luigi.internals import task_wraps

TaskClass = TypeVar("TaskClass", bound=type[luigi.Task])


class inherits_config_params:
    """Config values beat a task's defaults but lose to explicit arguments; family and ids are unchanged."""

    def __init__(
        self, config_class: type[luigi.Config], parameter_alias: Mapping[str, str] | None = None
    ) -> None:
        self._config_class = config_class
        self._parameter_alias = dict(parameter_alias or {})

    def __call__(self, task_class: TaskClass) -> TaskClass:
        config_class = self._config_class
        alias = self._parameter_alias

        @task_wraps(task_class)
        class Wrapped(task_class):  # type: ignore[valid-type,misc]
            @classmethod
            def get_param_values(cls, params: Any, args: Any, kwargs: dict[str, Any]) -> Any:
                for name, value in config_class().param_kwargs.items():
                    target: str = alias.get(str(name), str(name))
                    if hasattr(cls, target) and target not in kwargs:
                        kwargs[target] = value
                return super().get_param_values(params, args, kwargs)

        return Wrapped  # type: ignore[return-value]
