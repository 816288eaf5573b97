"""Reads a task class body for the plugin (class-definition hook)."""

from __future__ import annotations

from collections.abc import Iterator

from mypy.nodes import (
    AssignmentStmt,
    Block,
    CallExpr,
    ClassDef,
    Expression,
    IfStmt,
    NameExpr,
    RefExpr,
    Statement,
    TempNode,
    TypeInfo,
    Var,
)
from mypy.plugin import SemanticAnalyzerPluginInterface
from mypy.plugins.common import add_method_to_class
from mypy.semanal_shared import find_dataclass_transform_spec
from mypy.types import AnyType, NoneType, Type, TypeOfAny, UnionType
from mypy.typevars import fill_typevars_with_any

from gokart._mypy.attribute import TaskOnKartAttribute
from gokart._mypy.names import (
    METADATA_TAG,
    POSITIONAL_ARGUMENTS_MESSAGE,
    TASK_ON_KART_FULLNAMES,
    VALUE_FROM_ARGUMENT,
    VALUE_TYPES,
    has_default_argument,
    has_positional_argument,
    is_parameter_call,
)
from gokart._mypy.options import TaskOnKartPluginOptions


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
        if call is not None and has_positional_argument(call):
            self._api.fail(POSITIONAL_ARGUMENTS_MESSAGE, call)
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
        elif call is not None:
            declared = self._infer_type_from_parameters(call)
        else:  # an unannotated assignment that is no parameter call was skipped above
            return None
        if call is not None:
            has_default = has_default_argument(call)
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
            from_argument = VALUE_FROM_ARGUMENT.get(short)
            if from_argument is not None:
                argument_name, container = from_argument
                return self._type_from_argument(parameter, argument_name, container)
            if short in VALUE_TYPES and base.fullname.startswith(("luigi.", "gokart.", "kart_task.")):
                typ = self._named_type(VALUE_TYPES[short])
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
        for fullname in sorted(TASK_ON_KART_FULLNAMES, reverse=True):
            symbol = self._api.lookup_fully_qualified_or_none(fullname)
            if symbol is not None and isinstance(symbol.node, TypeInfo):
                return fill_typevars_with_any(symbol.node)
        return AnyType(TypeOfAny.special_form)
