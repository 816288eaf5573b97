"""gokart's parameter types on luigi: task-valued parameters (serialised as gokart does, so unique
ids match) and an explicit boolean."""

from __future__ import annotations

import datetime
import json
import types
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Generic, Protocol, Self, TypeVar, runtime_checkable

import luigi
from luigi.task_register import Register

from kart_hash import parse_task_parameter_text

from ._errors import ParameterTypeError
from ._luigi.parameters import NO_VALUE, CheckedParameter, RequiredValueBoolParameter
from ._task_class import task_on_kart_class
from ._task_texts import own_text

if TYPE_CHECKING:
    from typing import Unpack

    from ._luigi.parameters import NoValueType, ParameterKwargs
    from ._task import TaskOnKart

#: The task type a task-valued parameter holds: `TaskInstanceParameter[A]` holds an `A` (gokart's name,
#: which typed code and the mypy plugin read).
TASK_ON_KART_TYPE = TypeVar("TASK_ON_KART_TYPE", bound="TaskOnKart[Any]")


def _task_text(task: luigi.Task) -> str:
    return own_text(task)  # made once per task (not per holder); a non-task fails as on gokart


def _task_from_text(text: str) -> luigi.Task:
    family, params = parse_task_parameter_text(text)
    task: luigi.Task = Register.get_task_cls(family).from_str_params(params)
    return task


def _default_expected_type() -> type:
    """TaskOnKart, as `_task` registered it (its module imports this one, so it cannot be imported here)."""
    return task_on_kart_class()


def _checked_type(argument: str, value: object) -> Any:
    """gokart's check of `expected_type` / `expected_elements_type`: a class or None, nothing else."""
    if value is not None and not isinstance(value, type):
        raise ParameterTypeError(f"{argument} must be a type, not {type(value)}")
    return value


def _not_an_instance(value: object, expected: type, what: str) -> TypeError:
    """gokart's message, then kart's line naming the parameter (a note, so `str(error)` stays gokart's);
    the task's constructor puts the task's name in front of the note."""
    error = TypeError(f"{value} is not an instance of {expected}")
    error.add_note(f"parameter {what}, got {type(value).__name__}: {value!r:.80}")
    return error


class TaskInstanceParameter(CheckedParameter[TASK_ON_KART_TYPE]):
    """A parameter holding a task instance; by default also a dependency of the task (gokart).

    Generic like gokart's: `a: TaskInstanceParameter[A] = TaskInstanceParameter()`."""

    def __init__(
        self,
        expected_type: type[TASK_ON_KART_TYPE] | None = None,
        default: TASK_ON_KART_TYPE | NoValueType = NO_VALUE,
        **kwargs: Unpack[ParameterKwargs],
    ) -> None:
        self._expected_type: type | None = _checked_type("expected_type", expected_type)
        super().__init__(default, **kwargs)

    @property
    def expected_type(self) -> type:
        """The class the value must be an instance of (TaskOnKart by default)."""
        return self._expected_type or _default_expected_type()

    def parse(self, s: str) -> TASK_ON_KART_TYPE:
        """The task named by gokart's JSON text (`{"type": ..., "params": ...}`), as on the command line."""
        return _task_from_text(s)  # type: ignore[return-value]

    def serialize(self, x: TASK_ON_KART_TYPE) -> str:
        """gokart's text of the task: its family and parameters, the part of the holder's id."""
        return _task_text(x)

    def _kart_check_value(self, param_name: str, param_value: Any) -> None:
        expected = self.expected_type
        if not isinstance(param_value, expected):
            what = f"{param_name!r} takes a {expected.__name__} instance"
            raise _not_an_instance(param_value, expected, what)


class ListTaskInstanceParameter(CheckedParameter[list[TASK_ON_KART_TYPE]]):
    """A parameter holding a list of task instances (stored as a tuple, as luigi stores lists).

    Generic like gokart's: `a: ListTaskInstanceParameter[A] = ListTaskInstanceParameter()`."""

    def __init__(
        self,
        expected_elements_type: type[TASK_ON_KART_TYPE] | None = None,
        default: list[TASK_ON_KART_TYPE] | NoValueType = NO_VALUE,
        **kwargs: Unpack[ParameterKwargs],
    ) -> None:
        self._expected_elements_type: type | None = _checked_type(
            "expected_elements_type", expected_elements_type
        )
        super().__init__(default, **kwargs)

    @property
    def expected_elements_type(self) -> type:
        """The class every element must be an instance of (TaskOnKart by default)."""
        return self._expected_elements_type or _default_expected_type()

    def parse(self, s: str) -> list[TASK_ON_KART_TYPE]:
        """The tasks named by a JSON list of gokart's task texts (a tuple, as luigi keeps lists)."""
        return tuple(_task_from_text(text) for text in json.loads(s))  # type: ignore[return-value]

    def serialize(self, x: Iterable[TASK_ON_KART_TYPE]) -> str:
        """A JSON list of gokart's task texts, one per task, in order."""
        return json.dumps([_task_text(task) for task in x])

    def _kart_check_value(self, param_name: str, param_value: Any) -> None:
        expected = self.expected_elements_type
        # iterated as gokart does: a str is checked character by character, a non-iterable raises
        # Python's own "object is not iterable"
        for index, item in enumerate(param_value):
            if not isinstance(item, expected):
                what = f"{param_name!r}[{index}] must be a {expected.__name__} instance"
                raise _not_an_instance(item, expected, what)


class ExplicitBoolParameter(RequiredValueBoolParameter):
    """A bool that always takes a value on the command line (`--flag true`), as gokart's does.

    Unlike luigi's BoolParameter it has no implicit `False` default (a task built without it raises
    MissingParameterException) and a bare `--flag` is an argparse error, not `True`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        luigi.Parameter.__init__(self, *args, **kwargs)  # skips BoolParameter's implicit default


class OptionalTimeDeltaParameter(  # type: ignore[misc]  # luigi's own Optional* parameters ignore it too
    luigi.parameter.OptionalParameterMixin[datetime.timedelta], luigi.TimeDeltaParameter
):
    """A timedelta or None (`cache_expiration`): text as luigi's TimeDeltaParameter reads it (`7 d`,
    `7 days`, `P1W`, a number of seconds); an empty text is None, and so is the default."""

    expected_type = datetime.timedelta

    def normalize(self, x: Any) -> Any:
        """A text given in code is read as on the command line (`cache_expiration="7 d"`)."""
        if isinstance(x, str):
            return self.parse(x)
        return super().normalize(x)


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

    def gokart_serialize(self) -> str:
        """The value's text in unique ids; leave out what must not change them."""
        ...

    @classmethod
    def gokart_deserialize(cls, s: str) -> Self:
        """The value back from `gokart_serialize`'s text (the command line and logs use it)."""
        ...


S = TypeVar("S", bound=Serializable)


class SerializableParameter(luigi.Parameter, Generic[S]):
    """A parameter whose text form is the value's own `gokart_serialize()`."""

    def __init__(self, object_type: type[S], *args: Any, **kwargs: Any) -> None:
        self._object_type = object_type
        super().__init__(*args, **kwargs)

    def parse(self, x: str) -> S:
        """The value from its text, through the object type's `gokart_deserialize`."""
        return self._object_type.gokart_deserialize(x)

    def serialize(self, x: S) -> str:
        """The value's own `gokart_serialize()` text: what goes into unique ids."""
        return x.gokart_serialize()


class ZonedDateSecondParameter(luigi.Parameter):
    """A datetime to the second that keeps its time zone in its text form (and so in the unique id)."""

    def parse(self, x: str) -> datetime.datetime:
        """An ISO datetime with its zone (`Z` is UTC); a naive one warns as in gokart."""
        text = x[:-1] + "+00:00" if x.endswith("Z") else x
        value = datetime.datetime.fromisoformat(text)
        if value.tzinfo is None:
            warnings.warn(  # gokart's text and category, raised from here as gokart raises it
                "The input does not have timezone information. "
                "Please consider using luigi.DateSecondParameter instead.",
                UserWarning,
                stacklevel=1,
            )
        return value

    def serialize(self, x: datetime.datetime) -> str:
        """ISO text with the zone, so the zone is part of the unique id."""
        return x.isoformat()

    def normalize(self, x: Any) -> Any:
        """Drop the microseconds: the parameter is precise to the second."""
        # a datetime to the second; anything else fails here with the TypeError gokart raises (a str
        # given in code: "str.replace() takes no keyword arguments")
        return x.replace(microsecond=0)
