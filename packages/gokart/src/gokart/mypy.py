"""gokart's mypy plugin: `plugins = gokart.mypy` (or `["gokart.mypy"]` under `[tool.mypy]`).

Why a plugin at all: gokart code annotates parameters with the value they hold (`n: int =
luigi.IntParameter()`), which plain mypy rejects, and typed users want a missing or mistyped
parameter of a task's constructor reported before the pipeline runs.

What it does, on top of luigi's own `dataclass_transform` (which gives every task a keyword-only
`__init__` from its annotated class attributes):
- a call of a luigi/gokart parameter class has the type of its `default` (`Any` without one), so it
  can be assigned to an attribute annotated with the value type; annotated with a parameter type
  instead (`task: TaskInstanceParameter[A] = ...`), the call keeps its own type and luigi's descriptor
  types apply (`self.task` is an `A`);
- positional arguments of a parameter in a task's body are an error, as gokart's plugin says;
- `[tool.gokart-mypy] disallow_missing_parameters = true` (pyproject.toml) makes a parameter declared
  without `default=` a required argument of the constructor.
Where luigi has no `dataclass_transform`, the plugin writes that `__init__` itself.
"""

from __future__ import annotations

import re
import tomllib
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final, Literal

try:
    from mypy.plugin import (
        ClassDefContext,
        FunctionContext,
        FunctionSigContext,
        Plugin,
        ReportConfigContext,
        SemanticAnalyzerPluginInterface,
    )
except ImportError as exc:  # pragma: no cover - exercised without mypy installed
    raise ImportError(
        "gokart.mypy is a mypy plugin: it needs mypy installed (pip install 'gokart[mypy]' or 'mypy>=1.13')"
    ) from exc

from mypy.maptype import map_instance_to_supertype
from mypy.nodes import (
    ARG_NAMED,
    ARG_NAMED_OPT,
    ArgKind,
    Argument,
    AssignmentStmt,
    Block,
    CallExpr,
    ClassDef,
    EllipsisExpr,
    Expression,
    IfStmt,
    JsonDict,
    MemberExpr,
    NameExpr,
    RefExpr,
    Statement,
    TempNode,
    TypeInfo,
    Var,
)
from mypy.options import Options
from mypy.plugins.common import add_method_to_class, deserialize_and_fixup_type
from mypy.semanal_shared import find_dataclass_transform_spec
from mypy.typeops import map_type_from_supertype
from mypy.types import (
    AnyType,
    CallableType,
    FunctionLike,
    Instance,
    NoneType,
    Type,
    TypeOfAny,
    UnionType,
    get_proper_type,
)
from mypy.typevars import fill_typevars_with_any

__all__ = [
    "METADATA_TAG",
    "PARAMETER_FULLNAME_MATCHER",
    "PARAMETER_TMP_MATCHER",
    "PluginOptions",
    "TaskOnKartAttribute",
    "TaskOnKartPlugin",
    "TaskOnKartPluginOptions",
    "TaskOnKartTransformer",
    "is_parameter_call",
    "plugin",
]

METADATA_TAG: Final = "task_on_kart"
# gokart's names plus kart_task's, where gokart's parameter classes are defined in kart.
PARAMETER_FULLNAME_MATCHER: Final = re.compile(
    r"^(gokart|luigi|kart_task)(\.parameter|\._parameters)?\.\w*Parameter$"
)
# A callee not resolved yet (semantic analysis still in progress) is judged by its bare name.
PARAMETER_TMP_MATCHER: Final = re.compile(r"^\w*Parameter$")

_TASK_ON_KART_FULLNAMES: Final = frozenset({"kart_task._task.TaskOnKart", "gokart.task.TaskOnKart"})
_LUIGI_PARAMETER: Final = "luigi.parameter.Parameter"
_POSITIONAL_ARGUMENTS_MESSAGE: Final = (
    "Positional arguments are not allowed for parameters when using the mypy plugin. "
    "Update your code to use named arguments, like luigi.Parameter(default='foo') "
    "instead of luigi.Parameter('foo')"
)
_CONFIG_SECTION: Final = "gokart-mypy"

# What an unannotated parameter holds, by the name of its class (or of the nearest such base class).
_VALUE_TYPES: Final = {
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
_VALUE_FROM_ARGUMENT: Final[dict[str, tuple[str, str | None]]] = {
    "EnumParameter": ("enum", None),
    "EnumListParameter": ("enum", "tuple"),
    "NumericalParameter": ("var_type", None),
    "SerializableParameter": ("object_type", None),
    "TaskInstanceParameter": ("expected_type", None),
    "ListTaskInstanceParameter": ("expected_elements_type", "list"),
}


class PluginOptions(Enum):
    """Keys of the `[tool.gokart-mypy]` table."""

    DISALLOW_MISSING_PARAMETERS = "disallow_missing_parameters"


@dataclass
class TaskOnKartPluginOptions:
    """The plugin's settings, read from the `[tool.gokart-mypy]` table of pyproject.toml."""

    disallow_missing_parameters: bool = False

    @classmethod
    def _parse_toml(cls, config_file: str) -> TaskOnKartPluginOptions:
        with open(config_file, "rb") as handle:
            table = tomllib.load(handle).get("tool", {}).get(_CONFIG_SECTION, {})
        key = PluginOptions.DISALLOW_MISSING_PARAMETERS.value
        value = table.get(key, False)
        if not isinstance(value, bool):
            raise ValueError(
                f"{config_file}: [tool.{_CONFIG_SECTION}] {key} must be true or false, got {value!r}"
            )
        return cls(disallow_missing_parameters=value)

    @classmethod
    def parse_config_file(cls, config_file: str | None) -> TaskOnKartPluginOptions:
        if not config_file:
            return cls()
        if not config_file.endswith(".toml"):
            warnings.warn("gokart mypy plugin can be configured by pyproject.toml", stacklevel=1)
            return cls()
        return cls._parse_toml(config_file)


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


def _has_default_argument(call: CallExpr) -> bool:
    return "default" in call.arg_names


def _has_positional_argument(call: CallExpr) -> bool:
    return any(name is None for name in call.arg_names)


def _parameter_value_type(typ: Type | None) -> Type | None:
    """`int` for `IntParameter`, `A` for `TaskInstanceParameter[A]`: what a parameter attribute holds."""
    proper = get_proper_type(typ)
    if not isinstance(proper, Instance):
        return typ
    for base in proper.type.mro:
        if base.fullname == _LUIGI_PARAMETER:
            mapped = map_instance_to_supertype(proper, base)
            return mapped.args[0] if mapped.args else AnyType(TypeOfAny.implementation_artifact)
    return typ


class TaskOnKartAttribute:
    """One class-level attribute of a task: a constructor argument."""

    def __init__(
        self,
        name: str,
        has_default: bool,
        line: int,
        column: int,
        type: Type | None,
        info: TypeInfo,
        api: SemanticAnalyzerPluginInterface,
        options: TaskOnKartPluginOptions,
        *,
        is_parameter: bool = True,
    ) -> None:
        self.name = name
        self.has_default = has_default
        self.line = line
        self.column = column
        self.type = type
        self.info = info
        self.api = api
        self.options = options
        self.is_parameter = is_parameter

    def to_argument(self, current_info: TypeInfo, *, of: Literal["__init__"] = "__init__") -> Argument:
        value_type = _parameter_value_type(self.expand_type(current_info))
        return Argument(
            variable=self.to_var(current_info),
            type_annotation=value_type,
            initializer=None,
            kind=self._get_arg_kind_by_options(),
        )

    def expand_type(self, current_info: TypeInfo) -> Type | None:
        if self.type is None or self.info is current_info:
            return self.type
        return map_type_from_supertype(self.type, current_info, self.info)

    def to_var(self, current_info: TypeInfo) -> Var:
        return Var(self.name, self.expand_type(current_info))

    def serialize(self) -> JsonDict:
        return {
            "name": self.name,
            "has_default": self.has_default,
            "is_parameter": self.is_parameter,
            "line": self.line,
            "column": self.column,
            "type": None if self.type is None else self.type.serialize(),
        }

    @classmethod
    def deserialize(
        cls,
        info: TypeInfo,
        data: JsonDict,
        api: SemanticAnalyzerPluginInterface,
        options: TaskOnKartPluginOptions,
    ) -> TaskOnKartAttribute:
        raw_type = data.get("type")
        return cls(
            name=data["name"],
            has_default=data["has_default"],
            line=data["line"],
            column=data["column"],
            type=None if raw_type is None else deserialize_and_fixup_type(raw_type, api),
            info=info,
            api=api,
            options=options,
            is_parameter=data.get("is_parameter", True),
        )

    def expand_typevar_from_subtype(self, sub_type: TypeInfo) -> None:
        """Re-express a generic base's attribute type in terms of the subclass's type variables."""
        if self.type is not None and self.info is not sub_type:
            self.type = map_type_from_supertype(self.type, sub_type, self.info)

    def _get_arg_kind_by_options(self) -> ArgKind:
        if self.has_default:
            return ARG_NAMED_OPT
        if self.is_parameter and not self.options.disallow_missing_parameters:
            return ARG_NAMED_OPT
        return ARG_NAMED


class TaskOnKartTransformer:
    """Reads a task class body: checks its parameter calls, records its attributes for subclasses and
    the constructor check, and writes `__init__` where luigi's dataclass_transform does not."""

    def __init__(
        self,
        cls: ClassDef,
        reason: Expression | Statement,
        api: SemanticAnalyzerPluginInterface,
        options: TaskOnKartPluginOptions,
    ) -> None:
        self._cls = cls
        self._reason = reason
        self._api = api
        self._options = options

    def transform(self) -> bool:
        info = self._cls.info
        attributes = self.collect_attributes()
        if attributes is None:
            return False
        own = [attribute for attribute in attributes if attribute.info is info]
        info.metadata[METADATA_TAG] = {"attributes": [attribute.serialize() for attribute in own]}
        parameters = [attribute for attribute in attributes if attribute.is_parameter]
        init = info.names.get("__init__")
        # luigi >= 3.8 types Task with dataclass_transform: mypy then writes __init__ (after this hook).
        if (
            find_dataclass_transform_spec(info) is None
            and (init is None or init.plugin_generated)
            and parameters
        ):
            add_method_to_class(
                self._api,
                self._cls,
                "__init__",
                args=[attribute.to_argument(info) for attribute in parameters],
                return_type=NoneType(),
            )
        return True

    def _get_assignment_statements_from_if_statement(self, stmt: IfStmt) -> Iterator[AssignmentStmt]:
        for body in stmt.body:
            if not body.is_unreachable:
                yield from self._get_assignment_statements_from_block(body)
        if stmt.else_body is not None and not stmt.else_body.is_unreachable:
            yield from self._get_assignment_statements_from_block(stmt.else_body)

    def _get_assignment_statements_from_block(self, block: Block) -> Iterator[AssignmentStmt]:
        for stmt in block.body:
            if isinstance(stmt, AssignmentStmt):
                yield stmt
            elif isinstance(stmt, IfStmt):
                yield from self._get_assignment_statements_from_if_statement(stmt)

    def collect_attributes(self) -> list[TaskOnKartAttribute] | None:
        """The constructor's attributes: the bases' first (in MRO order), then this class's own."""
        info = self._cls.info
        found: dict[str, TaskOnKartAttribute] = {}
        for base in reversed(info.mro[1:-1]):
            data = base.metadata.get(METADATA_TAG)
            if data is None:
                continue
            for item in data["attributes"]:
                # its type is re-expressed for this class by to_argument (Base[T] -> Mid(Base[int]): int)
                attribute = TaskOnKartAttribute.deserialize(base, item, self._api, self._options)
                # a redefinition keeps its first position, as in dataclasses
                found[attribute.name] = attribute
        for stmt in self._get_assignment_statements_from_block(self._cls.defs):
            own = self._attribute_of(stmt)
            if own is not None:
                found[own.name] = own
        return list(found.values())

    def _attribute_of(self, stmt: AssignmentStmt) -> TaskOnKartAttribute | None:
        """An annotated attribute, or an unannotated parameter (typed from its class)."""
        call = stmt.rvalue if isinstance(stmt.rvalue, CallExpr) and is_parameter_call(stmt.rvalue) else None
        if call is not None and _has_positional_argument(call):
            self._api.fail(_POSITIONAL_ARGUMENTS_MESSAGE, call)
        if len(stmt.lvalues) != 1 or not isinstance(stmt.lvalues[0], NameExpr):
            return None
        if not stmt.new_syntax and call is None:
            return None
        name = stmt.lvalues[0].name
        symbol = self._cls.info.names.get(name)
        if symbol is None or not isinstance(symbol.node, Var) or symbol.node.is_classvar:
            return None
        if stmt.new_syntax:
            declared = symbol.node.type
        else:
            assert call is not None
            declared = self._infer_type_from_parameters(call)
        if call is not None:
            has_default = _has_default_argument(call)
        else:
            has_default = not isinstance(stmt.rvalue, TempNode)
        return TaskOnKartAttribute(
            name=name,
            has_default=has_default,
            line=stmt.line,
            column=stmt.column,
            type=declared,
            info=self._cls.info,
            api=self._api,
            options=self._options,
            is_parameter=call is not None,
        )

    def _infer_type_from_parameters(self, parameter: CallExpr) -> Type:
        """What an unannotated parameter holds, from its class (a subclass counts as its base)."""
        info = parameter.callee.node if isinstance(parameter.callee, RefExpr) else None
        mro = info.mro if isinstance(info, TypeInfo) else []
        for base in mro:
            short = base.fullname.rsplit(".", 1)[-1]
            from_argument = _VALUE_FROM_ARGUMENT.get(short)
            if from_argument is not None:
                argument_name, container = from_argument
                return self._type_from_argument(parameter, argument_name, container)
            if short in _VALUE_TYPES and base.fullname.startswith(("luigi.", "gokart.", "kart_task.")):
                typ = self._named_type(_VALUE_TYPES[short])
                return UnionType.make_union([typ, NoneType()]) if short.startswith("Optional") else typ
        return AnyType(TypeOfAny.unannotated)

    def _named_type(self, spec: str) -> Type:
        """`builtins.dict[Any, Any]` and the like; Any where the module is not part of the build."""
        name, _, arguments = spec.partition("[")
        args: list[Type] = (
            [AnyType(TypeOfAny.special_form) for _ in arguments.split(",")] if arguments else []
        )
        found = self._api.named_type_or_none(name, args)
        return found if found is not None else AnyType(TypeOfAny.special_form)

    def _type_from_argument(self, parameter: CallExpr, argument_name: str, container: str | None) -> Type:
        """`EnumParameter(enum=Color)` holds a Color; `ListTaskInstanceParameter()` a list of tasks."""
        item: Type | None = None
        for name, argument in zip(parameter.arg_names, parameter.args, strict=True):
            node = argument.node if isinstance(argument, RefExpr) else None
            if name == argument_name and isinstance(node, TypeInfo):
                item = fill_typevars_with_any(node)
        if item is None and argument_name in {"expected_type", "expected_elements_type"}:
            item = self._task_on_kart_type()
        if item is None:
            item = AnyType(TypeOfAny.special_form)
        if container is not None:
            return self._api.named_type(f"builtins.{container}", [item])
        return item

    def _task_on_kart_type(self) -> Type:
        for fullname in sorted(_TASK_ON_KART_FULLNAMES, reverse=True):
            symbol = self._api.lookup_fully_qualified_or_none(fullname)
            if symbol is not None and isinstance(symbol.node, TypeInfo):
                return fill_typevars_with_any(symbol.node)
        return AnyType(TypeOfAny.special_form)


def _is_parameter_instance(typ: Type | None) -> bool:
    proper = get_proper_type(typ)
    return isinstance(proper, Instance) and proper.type.has_base(_LUIGI_PARAMETER)


def _task_info(symbol: Any) -> TypeInfo | None:
    node = getattr(symbol, "node", None)
    return node if isinstance(node, TypeInfo) else None


class TaskOnKartPlugin(Plugin):
    """The plugin class mypy loads through `plugin(version)`."""

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self._plugin_options = TaskOnKartPluginOptions.parse_config_file(options.config_file)

    def report_config_data(self, ctx: ReportConfigContext) -> dict[str, bool]:
        # part of mypy's cache key: changing the option re-checks the modules
        key = PluginOptions.DISALLOW_MISSING_PARAMETERS.value
        return {key: self._plugin_options.disallow_missing_parameters}

    def get_base_class_hook(self, fullname: str) -> Callable[[ClassDefContext], None] | None:
        if self._is_task_on_kart(fullname):
            return self._task_on_kart_class_maker_callback
        return None

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        if PARAMETER_FULLNAME_MATCHER.match(fullname):
            return self._task_on_kart_parameter_field_callback
        return None

    def get_function_signature_hook(
        self, fullname: str
    ) -> Callable[[FunctionSigContext], FunctionLike] | None:
        if not self._plugin_options.disallow_missing_parameters:
            return None
        info = _task_info(self.lookup_fully_qualified(fullname))
        if info is None or not any(METADATA_TAG in base.metadata for base in info.mro):
            return None
        task_info = info
        return lambda ctx: _require_missing_parameters(task_info, ctx.default_signature)

    def _is_task_on_kart(self, fullname: str) -> bool:
        if fullname in _TASK_ON_KART_FULLNAMES:
            return True
        info = _task_info(self.lookup_fully_qualified(fullname))
        return info is not None and any(base.fullname in _TASK_ON_KART_FULLNAMES for base in info.mro)

    def _task_on_kart_class_maker_callback(self, ctx: ClassDefContext) -> None:
        TaskOnKartTransformer(ctx.cls, ctx.reason, ctx.api, self._plugin_options).transform()

    def _task_on_kart_parameter_field_callback(self, ctx: FunctionContext) -> Type:
        """`luigi.IntParameter(default=3)` has the type of 3; without a default, `Any`."""
        context = ctx.api.type_context
        if context and _is_parameter_instance(context[-1]):
            return ctx.default_return_type
        if "default" in ctx.callee_arg_names:
            index = ctx.callee_arg_names.index("default")
            # `default=...` is a placeholder, not a value of type `EllipsisType`
            if ctx.arg_types[index] and not isinstance(ctx.args[index][0], EllipsisExpr):
                return ctx.arg_types[index][0]
        return AnyType(TypeOfAny.special_form)


def _require_missing_parameters(info: TypeInfo, signature: CallableType) -> CallableType:
    """The constructor's signature with every parameter declared without `default=` made required."""
    missing: dict[str, bool] = {}
    for base in reversed(info.mro):
        for item in base.metadata.get(METADATA_TAG, {}).get("attributes", []):
            missing[item["name"]] = bool(item.get("is_parameter", True) and not item["has_default"])
    kinds = [
        ARG_NAMED if kind == ARG_NAMED_OPT and name is not None and missing.get(name, False) else kind
        for name, kind in zip(signature.arg_names, signature.arg_kinds, strict=True)
    ]
    return signature.copy_modified(arg_kinds=kinds)


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point for `plugins = gokart.mypy`."""
    return TaskOnKartPlugin
