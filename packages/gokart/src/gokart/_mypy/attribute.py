"""One constructor argument of a task, as the plugin records it in mypy's metadata (and cache)."""

from __future__ import annotations

from typing import Literal

from mypy.nodes import ARG_NAMED, ARG_NAMED_OPT, ArgKind, Argument, JsonDict, TypeInfo, Var
from mypy.plugin import SemanticAnalyzerPluginInterface
from mypy.plugins.common import deserialize_and_fixup_type
from mypy.typeops import map_type_from_supertype
from mypy.types import Type

from gokart._mypy.names import parameter_value_type
from gokart._mypy.options import TaskOnKartPluginOptions


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
        value_type = parameter_value_type(self.expand_type(current_info))
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
