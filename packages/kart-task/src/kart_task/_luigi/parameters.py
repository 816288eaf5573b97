"""Parameter base classes for kart's own parameters: the luigi hooks they override live here.

- `CheckedParameter[T]`: luigi calls `_kart_check_value(name, value)` where it checks a value's type.
- `RequiredValueBoolParameter`: a BoolParameter whose command-line flag always takes a value.
- On luigi 3.6, `luigi.Parameter[X]` is made to work at run time as it does since luigi 3.7.
- `NO_VALUE`: luigi's marker for "no default"; `NoValueType`/`ParameterKwargs` type it (for mypy only).
"""

from __future__ import annotations

from types import GenericAlias
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import luigi
import luigi.parameter

if TYPE_CHECKING:
    from luigi.parameter import _NoValueType as NoValueType
    from luigi.parameter import _ParameterKwargs as ParameterKwargs

T = TypeVar("T")

NO_VALUE: NoValueType = luigi.parameter._no_value

_GENERIC = issubclass(luigi.Parameter, Generic)

if not _GENERIC:
    # luigi < 3.7: let `luigi.Parameter[X]` (and its subclasses' `[X]`) mean what it means since 3.7 at run
    # time, so annotations and bases written for typed luigi import on the whole tested range.
    luigi.Parameter.__class_getitem__ = classmethod(GenericAlias)  # type: ignore[attr-defined]
    # and `OptionalParameterMixin[X]`, the base of kart's OptionalTimeDeltaParameter
    luigi.parameter.OptionalParameterMixin.__class_getitem__ = classmethod(GenericAlias)  # type: ignore[attr-defined]


class _CheckHook:
    """Where luigi checks a parameter value's type, `_kart_check_value` is asked instead."""

    def _kart_check_value(self, param_name: str, param_value: Any) -> None:
        super()._warn_on_wrong_param_type(param_name, param_value)  # type: ignore[misc]

    def _warn_on_wrong_param_type(self, param_name: str, param_value: Any) -> None:
        self._kart_check_value(param_name, param_value)


if TYPE_CHECKING or _GENERIC:

    class CheckedParameter(_CheckHook, luigi.Parameter[T]):
        """A parameter generic in its value type whose type check is `_kart_check_value`."""

else:

    class CheckedParameter(_CheckHook, luigi.Parameter, Generic[T]):
        """A parameter generic in its value type (as luigi's is since 3.7) whose type check is
        `_kart_check_value`."""

        __class_getitem__ = Generic.__dict__["__class_getitem__"]  # typing's, not the shim's alias


class RequiredValueBoolParameter(luigi.BoolParameter):
    """luigi's BoolParameter with luigi.Parameter's command-line form: one required value (luigi's
    BoolParameter adds `store_true` or `nargs="?"`, so a bare `--flag` would mean True)."""

    # an instance method over luigi's classmethod, as luigi's BoolParameter has it
    def _parser_kwargs(self, param_name: Any, task_name: Any = None) -> Any:  # type: ignore[override]
        return super(luigi.BoolParameter, self)._parser_kwargs(param_name, task_name)


__all__ = [
    "NO_VALUE",
    "CheckedParameter",
    "NoValueType",
    "ParameterKwargs",
    "RequiredValueBoolParameter",
]
