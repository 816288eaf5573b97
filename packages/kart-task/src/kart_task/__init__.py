"""TaskOnKart on luigi: parameters, gokart-compatible unique ids, cached targets, load/dump, completeness."""

from ._config_params import inherits_config_params
from ._errors import EmptyDumpError
from ._flatten import FlattenableItems, flatten, map_flattenable_items
from ._parameters import (
    ExplicitBoolParameter,
    ListTaskInstanceParameter,
    Serializable,
    SerializableParameter,
    TaskInstanceParameter,
    ZonedDateSecondParameter,
)
from ._task import TaskOnKart
from ._typing import dataframe_type_of

__version__ = "0.1.0"

__all__ = [
    "EmptyDumpError",
    "ExplicitBoolParameter",
    "FlattenableItems",
    "ListTaskInstanceParameter",
    "Serializable",
    "SerializableParameter",
    "TaskInstanceParameter",
    "TaskOnKart",
    "ZonedDateSecondParameter",
    "__version__",
    "dataframe_type_of",
    "flatten",
    "inherits_config_params",
    "map_flattenable_items",
]
