"""gokart.parameter: gokart's parameter classes, defined in kart-task."""

from typing import TypedDict, TypeVar

from kart_task import (
    TASK_ON_KART_TYPE,
    ExplicitBoolParameter,
    ListTaskInstanceParameter,
    Serializable,
    SerializableParameter,
    TaskInstanceParameter,
    ZonedDateSecondParameter,
)

T = TypeVar("T")
S = TypeVar("S", bound=Serializable)


class ParameterKwargs(TypedDict, total=False):
    """Keyword arguments every luigi parameter accepts."""

    significant: bool
    description: str
    config_path: dict[str, str]
    positional: bool
    always_in_help: bool
    batch_method: object
    visibility: object


__all__ = [
    "TASK_ON_KART_TYPE",
    "ExplicitBoolParameter",
    "ListTaskInstanceParameter",
    "ParameterKwargs",
    "S",
    "Serializable",
    "SerializableParameter",
    "T",
    "TaskInstanceParameter",
    "ZonedDateSecondParameter",
]
