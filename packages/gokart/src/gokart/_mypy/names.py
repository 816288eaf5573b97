"""What the plugin recognises: parameter calls, TaskOnKart classes, the value type of each parameter class."""

from __future__ import annotations

import re
from typing import Final

from mypy.maptype import map_instance_to_supertype
from mypy.nodes import CallExpr, Expression, MemberExpr, NameExpr, RefExpr
from mypy.types import AnyType, Instance, Type, TypeOfAny, get_proper_type

METADATA_TAG: Final = "task_on_kart"
# gokart's names plus kart_task's, where gokart's parameter classes are defined in kart.
PARAMETER_FULLNAME_MATCHER: Final = re.compile(
    r"^(gokart|luigi|kart_task)(\.parameter|\._parameters)?\.\w*Parameter$"
)
# A callee not resolved yet (semantic analysis still in progress) is judged by its bare name.
PARAMETER_TMP_MATCHER: Final = re.compile(r"^\w*Parameter$")

TASK_ON_KART_FULLNAMES: Final = frozenset({"kart_task._task.TaskOnKart", "gokart.task.TaskOnKart"})
LUIGI_PARAMETER: Final = "luigi.parameter.Parameter"
POSITIONAL_ARGUMENTS_MESSAGE: Final = (
    "Positional arguments are not allowed for parameters when using the mypy plugin. "
    "Update your code to use named arguments, like luigi.Parameter(default='foo') "
    "instead of luigi.Parameter('foo')"
)

# What an unannotated parameter holds, by the name of its class (or of the nearest such base class).
VALUE_TYPES: Final = {
    "IntParameter": "builtins.int",
    "FloatParameter": "builtins.float",
    "BoolParameter": "builtins.bool",
    "Parameter": "builtins.str",
    "StrParameter": "builtins.str",
    "ListParameter": "builtins.tuple[Any]",
    "DictParameter": "builtins.dict[Any, Any]",
    "DateParameter": "datetime.date",
    "DateHourParameter": "datetime.datetime",
    "DateMinuteParameter": "datetime.datetime",
    "DateSecondParameter": "datetime.datetime",
    "ZonedDateSecondParameter": "datetime.datetime",
    "TimeDeltaParameter": "datetime.timedelta",
    "PathParameter": "pathlib.Path",
    "OptionalParameter": "builtins.str",
    "OptionalStrParameter": "builtins.str",
    "OptionalIntParameter": "builtins.int",
    "OptionalFloatParameter": "builtins.float",
    "OptionalBoolParameter": "builtins.bool",
}
# ... or by one of its arguments: (argument, container of that type or None).
VALUE_FROM_ARGUMENT: Final[dict[str, tuple[str, str | None]]] = {
    "EnumParameter": ("enum", None),
    "EnumListParameter": ("enum", "tuple"),
    "NumericalParameter": ("var_type", None),
    "SerializableParameter": ("object_type", None),
    "TaskInstanceParameter": ("expected_type", None),
    "ListTaskInstanceParameter": ("expected_elements_type", "list"),
}


def is_parameter_call(expr: Expression) -> bool:
    """Whether `expr` calls a luigi or gokart parameter class (`luigi.IntParameter(...)`)."""
    if not isinstance(expr, CallExpr):
        return False
    callee = expr.callee
    if isinstance(callee, RefExpr) and callee.fullname:
        return PARAMETER_FULLNAME_MATCHER.match(callee.fullname) is not None
    if isinstance(callee, NameExpr | MemberExpr):
        return PARAMETER_TMP_MATCHER.match(callee.name) is not None
    return False


def has_default_argument(call: CallExpr) -> bool:
    return "default" in call.arg_names


def has_positional_argument(call: CallExpr) -> bool:
    return any(name is None for name in call.arg_names)


def parameter_value_type(typ: Type | None) -> Type | None:
    """`int` for `IntParameter`, `A` for `TaskInstanceParameter[A]`: what a parameter attribute holds."""
    proper = get_proper_type(typ)
    if not isinstance(proper, Instance):
        return typ
    for base in proper.type.mro:
        if base.fullname == LUIGI_PARAMETER:
            mapped = map_instance_to_supertype(proper, base)
            return mapped.args[0] if mapped.args else AnyType(TypeOfAny.implementation_artifact)
    return typ
