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

from collections.abc import Callable
from typing import Any

try:
    from mypy.plugin import (
        ClassDefContext,
        FunctionContext,
        FunctionSigContext,
        Plugin,
        ReportConfigContext,
    )
except ImportError as exc:  # pragma: no cover - exercised without mypy installed
    raise ImportError(
        "gokart.mypy is a mypy plugin: it needs mypy installed (pip install 'gokart[mypy]' or 'mypy>=1.13')"
    ) from exc

from mypy.nodes import ARG_NAMED, ARG_NAMED_OPT, EllipsisExpr, TypeInfo
from mypy.options import Options
from mypy.types import AnyType, CallableType, FunctionLike, Instance, Type, TypeOfAny, get_proper_type

from gokart._mypy.attribute import TaskOnKartAttribute
from gokart._mypy.names import (
    LUIGI_PARAMETER,
    METADATA_TAG,
    PARAMETER_FULLNAME_MATCHER,
    PARAMETER_TMP_MATCHER,
    TASK_ON_KART_FULLNAMES,
    is_parameter_call,
)
from gokart._mypy.options import PluginOptions, TaskOnKartPluginOptions
from gokart._mypy.transformer import TaskOnKartTransformer

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


def _is_parameter_instance(typ: Type | None) -> bool:
    proper = get_proper_type(typ)
    return isinstance(proper, Instance) and proper.type.has_base(LUIGI_PARAMETER)


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
        if fullname in TASK_ON_KART_FULLNAMES:
            return True
        info = _task_info(self.lookup_fully_qualified(fullname))
        return info is not None and any(base.fullname in TASK_ON_KART_FULLNAMES for base in info.mro)

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
