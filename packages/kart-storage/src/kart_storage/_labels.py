"""Task-state labels gokart attaches to objects it dumps on GCS (custom labels, task parameters and
the outputs of required tasks), computed here and handed to the file system with the upload, so an
object and its labels appear together (upstream patched them in a second request)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._errors import UnstorableValueError

logger = logging.getLogger(__name__)

MAX_GCS_METADATA_SIZE = 8 * 1024
_LOG_PATH = re.compile(
    r"^gs://.+?/log/(processing_time/|task_info/|task_log/|module_versions/|random_seed/|task_params/).+"
)


@dataclass(frozen=True)
class RequiredTaskOutput:
    """Where one required task wrote its output; serialised into the `__required_task_outputs` label."""

    task_name: str
    output_path: str

    def serialize(self) -> dict[str, str]:
        """The dict form gokart stores in the `__required_task_outputs` label."""
        return {"__gokart_task_name": self.task_name, "__gokart_output_path": self.output_path}


def is_log_related_path(path: str) -> bool:
    return _LOG_PATH.match(path) is not None


def _normalize(labels: Mapping[Any, Any] | None) -> dict[str, str]:
    return {str(key): str(value) for key, value in (labels or {}).items()}


def _serialize_required(value: Any) -> Any:
    if isinstance(value, RequiredTaskOutput):
        return value.serialize()
    if isinstance(value, dict):
        return {key: _serialize_required(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_serialize_required(item) for item in value]
    raise UnstorableValueError(f"unsupported type for required task outputs: {type(value)}")


def _trim_to_limit(labels: dict[str, str]) -> dict[str, str]:
    """Drop entries from the end until keys plus values fit GCS's 8 KiB metadata limit."""
    trimmed = dict(labels)
    size = sum(len(k.encode()) + len(v.encode()) for k, v in trimmed.items())
    while size > MAX_GCS_METADATA_SIZE and trimmed:
        key, value = trimmed.popitem()
        size -= len(key.encode()) + len(value.encode())
        logger.warning("dropped GCS label %r: labels exceed %d bytes", key, MAX_GCS_METADATA_SIZE)
    return trimmed


def task_state_labels(
    path: str,
    task_params: Mapping[str, Any] | None = None,
    custom_labels: Mapping[str, Any] | None = None,
    required_task_outputs: Any = None,
) -> dict[str, str]:
    """Labels for a dump at `path`: custom labels first, then task parameters, then required outputs;
    the first writer of a key wins, empty values are skipped; trimmed to the 8 KiB limit."""
    if is_log_related_path(path):
        return {}
    merged: dict[str, str] = {}
    sources: list[dict[str, str]] = [_normalize(custom_labels), _normalize(task_params)]
    if required_task_outputs:
        sources.append({"__required_task_outputs": json.dumps(_serialize_required(required_task_outputs))})
    for source in sources:
        for key, value in source.items():
            if key in merged:
                logger.warning("label %r given twice; keeping the first value", key)
                continue
            if value == "":
                logger.warning("label %r has an empty value; skipped", key)
                continue
            merged[key] = value
    return _trim_to_limit(merged)
