"""luigi's resolution of a task's parameter values (`Task.get_param_values`), written so that building a
task costs what its own parameters cost.

luigi formats a description of the call (the repr of every argument) before it knows whether anything
failed, and asks the command line and config for every parameter left out. For a task holding thousands
of tasks the description alone dominates construction. Here the description is formatted only for an
error message, and a parameter takes its default directly when neither the command line nor any config
section can hold a value for it. Values, exception types, messages and warnings are luigi's.
`param_values()` is what tasks call: this resolution, or luigi's own on a luigi the seam does not support.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import luigi
import luigi.cmdline_parser
import luigi.configuration
from luigi.configuration.toml_parser import LuigiTomlParser
from luigi.parameter import (
    DuplicateParameterException,
    MissingParameterException,
    UnconsumedParameterWarning,
    UnknownParameterException,
)

from .support import specialised

Params = Sequence[tuple[str, luigi.Parameter]]

_NO_VALUE = luigi.parameter._no_value
_BASE = luigi.Parameter
# The methods through which luigi finds a value other than the default; a parameter type that overrides
# any of them (say, to read an environment variable) is always asked, never short-cut.
_LOOKUP_METHODS = ("has_task_value", "task_value", "_get_value", "_value_iterator", "_get_value_from_config")
_looks_up_plainly: dict[type, bool] = {}


def _plain_lookup(param_type: type) -> bool:
    plain = _looks_up_plainly.get(param_type)
    if plain is None:
        plain = all(getattr(param_type, name) is getattr(_BASE, name) for name in _LOOKUP_METHODS)
        _looks_up_plainly[param_type] = plain
    return plain


def _config_section_exists(config: Any, section: str) -> bool:
    """Whether luigi's config could answer `get(section, ...)` (conservatively: ConfigParser's DEFAULT
    counts; luigi's TOML parser keeps its sections outside ConfigParser's own)."""
    if isinstance(config, LuigiTomlParser):
        return section in config.data
    return section in config


def _hashable(value: Any) -> Any:
    """luigi stores lists and sets as tuples so that tasks can be cached by their parameter values."""
    return tuple(value) if isinstance(value, list | set) else value


def resolve_param_values(
    cls: Any, params: Params, args: Sequence[Any], kwargs: dict[str, Any]
) -> list[tuple[str, Any]]:
    """The `(name, value)` list luigi's `Task.get_param_values` returns for these arguments, in `params`
    order; it raises what luigi raises, with luigi's messages, and warns as luigi warns."""
    task_family: str = cls.get_task_family()

    def call() -> str:
        return f"{task_family}[args={args}, kwargs={kwargs}]"

    values: dict[str, Any] = {}
    if args:
        positional = [(name, param) for name, param in params if param.positional]
        for index, arg in enumerate(args):
            if index >= len(positional):
                raise UnknownParameterException(
                    f"{call()}: takes at most {len(positional)} parameters ({len(args)} given)"
                )
            name, param = positional[index]
            values[name] = param.normalize(arg)

    by_name = dict(params)
    for name, arg in kwargs.items():
        if name in values:
            raise DuplicateParameterException(
                f"{call()}: parameter {name} was already set as a positional parameter"
            )
        if name not in by_name:
            raise UnknownParameterException(f"{call()}: unknown parameter {name}")
        values[name] = by_name[name].normalize(arg)

    config = luigi.configuration.get_config()
    lookups = luigi.cmdline_parser.CmdlineParser.get_instance() is not None or _config_section_exists(
        config, task_family
    )
    for name, param in params:
        if name in values:
            continue
        default = param._default
        if (
            not lookups
            and default is not _NO_VALUE
            and not (param._config_path and _config_section_exists(config, param._config_path["section"]))
            and _plain_lookup(type(param))
        ):
            values[name] = param.normalize(default)  # what luigi's task_value() returns here
            continue
        try:
            found = param.has_task_value(task_family, name)
        except Exception as exc:
            raise ValueError(f"{call()}: Error when parsing the default value of '{name}'") from exc
        if not found:
            raise MissingParameterException(f"{call()}: requires the '{name}' parameter to be set")
        values[name] = param.task_value(task_family, name)

    _warn_unconsumed(cls, task_family, config, values)
    return [(name, _hashable(values[name])) for name, _ in params]


def param_values(
    cls: Any, params: Params, args: Sequence[Any], kwargs: dict[str, Any]
) -> list[tuple[str, Any]]:
    """`resolve_param_values`, or luigi's `Task.get_param_values` on a luigi the seam does not support."""
    if specialised():
        return resolve_param_values(cls, params, args, kwargs)
    values: list[tuple[str, Any]] = luigi.Task.get_param_values.__func__(cls, params, args, kwargs)  # type: ignore[attr-defined]
    return values


def _warn_unconsumed(cls: Any, task_family: str, config: Any, values: dict[str, Any]) -> None:
    """luigi warns once per class and key about a key of the task's config section that names no parameter."""
    if not hasattr(cls, "_unconsumed_params"):
        cls._unconsumed_params = set()
    if not config.has_section(task_family):  # as luigi's `in sections()`: not DEFAULT, not TOML data
        return
    ignored: set[str] = getattr(cls, "ignore_unconsumed", set())
    for raw_key, text in config[task_family].items():
        key = raw_key.replace("-", "_")
        seen = f"{task_family}_{key}"
        if key in values or key in ignored or seen in cls._unconsumed_params:
            continue
        warnings.warn(
            f"The configuration contains the parameter '{key}' with value '{text}' that is not consumed "
            f"by the task '{task_family}'.",
            UnconsumedParameterWarning,
            stacklevel=1,
        )
        cls._unconsumed_params.add(seen)
