"""gokart's parameter types on luigi: task-valued parameters (serialised as gokart does, so unique
ids match) and an explicit boolean."""

from __future__ import annotations

import datetime
import json
import types
import warnings
from typing import Any, Generic, Protocol, Self, TypeVar, runtime_checkable

import luigi
from luigi.task_register import Register

from kart_hash import parse_task_parameter_text, task_parameter_text


def _task_text(task: luigi.Task) -> str:
    return task_parameter_text(task.get_task_family(), task.to_str_params(only_significant=True))


def _task_from_text(text: str) -> luigi.Task:
    family, params = parse_task_parameter_text(text)
    task: luigi.Task = Register.get_task_cls(family).from_str_params(params)
    return task


_task_on_kart: list[type] = []


def _default_expected_type() -> type:
    """TaskOnKart, imported on first use (its module imports this one)."""
    if not _task_on_kart:
        from ._task import TaskOnKart

        _task_on_kart.append(TaskOnKart)
    return _task_on_kart[0]


class TaskInstanceParameter(luigi.Parameter):
    """A parameter holding a task instance; by default also a dependency of the task (gokart)."""

    def __init__(self, expected_type: type | None = None, *args: Any, **kwargs: Any) -> None:
        self._expected_type = expected_type
        super().__init__(*args, **kwargs)

    @property
    def expected_type(self) -> type:
        return self._expected_type or _default_expected_type()

    def parse(self, s: str) -> luigi.Task:
        return _task_from_text(s)

    def serialize(self, x: luigi.Task) -> str:
        return _task_text(x)

    def _warn_on_wrong_param_type(self, param_name: str, param_value: Any) -> None:
        if not isinstance(param_value, self.expected_type):
            raise TypeError(
                f"parameter {param_name!r} takes a {self.expected_type.__name__} instance, "
                f"got {type(param_value).__name__}: {param_value!r:.80}"
            )


class ListTaskInstanceParameter(luigi.Parameter):
    """A parameter holding a list of task instances (stored as a tuple, as luigi stores lists)."""

    def __init__(self, expected_elements_type: type | None = None, *args: Any, **kwargs: Any) -> None:
        self._expected_elements_type = expected_elements_type
        super().__init__(*args, **kwargs)

    @property
    def expected_elements_type(self) -> type:
        return self._expected_elements_type or _default_expected_type()

    def parse(self, s: str) -> tuple[luigi.Task, ...]:
        return tuple(_task_from_text(text) for text in json.loads(s))

    def serialize(self, x: Any) -> str:
        return json.dumps([_task_text(task) for task in x])

    def _warn_on_wrong_param_type(self, param_name: str, param_value: Any) -> None:
        if isinstance(param_value, str | bytes) or not hasattr(param_value, "__iter__"):
            raise TypeError(
                f"parameter {param_name!r} takes a list of {self.expected_elements_type.__name__} "
                f"instances, got {type(param_value).__name__}: {param_value!r:.80}"
            )
        for index, item in enumerate(param_value):
            if not isinstance(item, self.expected_elements_type):
                raise TypeError(
                    f"parameter {param_name!r}[{index}] must be a {self.expected_elements_type.__name__} "
                    f"instance, got {type(item).__name__}: {item!r:.80}"
                )


class ExplicitBoolParameter(luigi.BoolParameter):
    """A bool that takes a value on the command line (`--flag true`), unlike luigi's implicit flag."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["parsing"] = luigi.BoolParameter.EXPLICIT_PARSING
        super().__init__(*args, **kwargs)


# Exact types whose instances can never be a task or a tuple of tasks: most of a task's attributes.
_NEVER_TASKS: frozenset[type] = frozenset(
    {
        str,
        int,
        float,
        bool,
        bytes,
        type(None),
        dict,
        list,
        set,
        frozenset,
        types.MethodType,
        types.FunctionType,
    }
)


def _is_task_on_kart_value(value: Any) -> bool:
    """A TaskOnKart, or a non-empty tuple of them (how luigi stores a list of tasks)."""
    kind = type(value)
    if kind in _NEVER_TASKS:
        return False
    task_class = _default_expected_type()
    if isinstance(value, task_class):
        return True
    return isinstance(value, tuple) and bool(value) and all(isinstance(v, task_class) for v in value)


@runtime_checkable
class Serializable(Protocol):
    """A value that chooses its own cache-relevant text (it may leave out fields that must not change ids)."""

    def gokart_serialize(self) -> str: ...

    @classmethod
    def gokart_deserialize(cls, s: str) -> Self: ...


S = TypeVar("S", bound=Serializable)


class SerializableParameter(luigi.Parameter, Generic[S]):
    """A parameter whose text form is the value's own `gokart_serialize()`."""

    def __init__(self, object_type: type[S], *args: Any, **kwargs: Any) -> None:
        self._object_type = object_type
        super().__init__(*args, **kwargs)

    def parse(self, x: str) -> S:
        return self._object_type.gokart_deserialize(x)

    def serialize(self, x: S) -> str:
        return x.gokart_serialize()


class ZonedDateSecondParameter(luigi.Parameter):
    """A datetime to the second that keeps its time zone in its text form (and so in the unique id)."""

    def parse(self, x: str) -> datetime.datetime:
        text = x[:-1] + "+00:00" if x.endswith("Z") else x
        value = datetime.datetime.fromisoformat(text)
        if value.tzinfo is None:
            warnings.warn(
                f"{self.__class__.__name__} got {x!r} without a time zone. "
                "Please consider using luigi.DateSecondParameter instead.",
                UserWarning,
                stacklevel=2,
            )
        return value

    def serialize(self, x: datetime.datetime) -> str:
        return x.isoformat()

    def normalize(self, x: Any) -> Any:
        if isinstance(x, datetime.datetime):
            return x.replace(microsecond=0)
        return x
