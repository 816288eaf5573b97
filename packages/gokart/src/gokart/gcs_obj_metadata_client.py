"""gokart.gcs_obj_metadata_client: task-state labels (custom labels, task parameters, required outputs)
as custom metadata of objects on GCS.

Tasks dumping through kart-storage already send these labels with the upload itself; this client patches
them onto an object that exists, as gokart 1.12 did after every dump.
"""

from __future__ import annotations

import copy
import json
from logging import getLogger
from typing import Any, Final, cast
from urllib.parse import urlsplit

import kart_storage
from gokart._extras import filesystem, require_gcs
from gokart.gcs_config import GCSConfig  # noqa: F401 - a name gokart has here
from gokart.required_task_output import RequiredTaskOutput
from gokart.utils import FlattenableItems

logger = getLogger(__name__)


class GCSObjectMetadataClient:
    MAX_GCS_METADATA_SIZE: Final[int] = 8 * 1024

    @staticmethod
    def _is_log_related_path(path: str) -> bool:
        return kart_storage.task_state_labels(path, custom_labels={"_": "_"}) == {}

    @staticmethod
    def _path_to_bucket_and_key(path: str) -> tuple[str, str]:
        parts = urlsplit(path)
        if parts.scheme != "gs":
            # gokart 1.12.2 raises a bare AssertionError for a path of another store (callers may catch it);
            # raised explicitly, so `python -O` keeps the check
            raise AssertionError
        return parts.netloc, parts.path.lstrip("/")

    @staticmethod
    def add_task_state_labels(
        path: str,
        task_params: dict[str, str] | None = None,
        custom_labels: dict[str, str] | None = None,
        required_task_outputs: FlattenableItems | None = None,
    ) -> None:
        """Merge the labels into the object's metadata (one read, one patch when something changed)."""
        if GCSObjectMetadataClient._is_log_related_path(path):
            return
        bucket, key = GCSObjectMetadataClient._path_to_bucket_and_key(path)
        require_gcs()
        store = cast(kart_storage.GCSFileSystem, filesystem(path))
        blob = store.client.bucket(bucket).get_blob(key)
        if blob is None:
            raise FileNotFoundError(f"no such object on GCS: {path}")
        original = dict(blob.metadata or {})
        patched = GCSObjectMetadataClient._get_patched_obj_metadata(
            copy.deepcopy(original), task_params, custom_labels, required_task_outputs
        )
        if isinstance(patched, dict) and GCSObjectMetadataClient._makepatch(original, patched):
            blob.metadata = patched
            blob.patch()

    @staticmethod
    def _makepatch(original: dict[str, Any], modified: dict[str, Any]) -> dict[str, Any]:
        """The JSON merge patch turning `original` into `modified`: changed and new keys with their new
        values, removed keys as None, nested dicts as nested patches; {} when nothing changed."""
        patch: dict[str, Any] = {}
        for key, before in original.items():
            if key not in modified:
                patch[key] = None
                continue
            after = modified[key]
            if isinstance(before, dict) and isinstance(after, dict):
                nested = GCSObjectMetadataClient._makepatch(before, after)
                if nested:
                    patch[key] = nested
            elif before != after:
                patch[key] = after
        for key, after in modified.items():
            if key not in original:
                patch[key] = after
        return patch

    @staticmethod
    def _normalize_labels(labels: dict[str, Any] | None) -> dict[str, str]:
        return {str(key): str(value) for key, value in (labels or {}).items()}

    @staticmethod
    def _get_patched_obj_metadata(
        metadata: Any,
        task_params: dict[str, str] | None = None,
        custom_labels: dict[str, str] | None = None,
        required_task_outputs: FlattenableItems | None = None,
    ) -> dict[str, Any] | Any:
        """`metadata` with the labels merged in (custom labels first, then task parameters, then the
        required outputs as JSON), trimmed to GCS's size limit; anything but a dict comes back as is."""
        if not isinstance(metadata, dict):
            logger.warning(
                f"metadata is not a dict: {metadata}, something wrong was happened when getting response "
                "when get bucket and object information."
            )
            return metadata
        sources = [
            GCSObjectMetadataClient._normalize_labels(custom_labels),
            GCSObjectMetadataClient._normalize_labels(task_params),
        ]
        if required_task_outputs:
            serialized = GCSObjectMetadataClient._get_serialized_string(required_task_outputs)
            sources.append({"__required_task_outputs": json.dumps(serialized)})
        labels = GCSObjectMetadataClient._merge_custom_labels_and_task_params_labels(sources)
        patched = dict(metadata)
        patched.update(GCSObjectMetadataClient._adjust_gcs_metadata_limit_size(labels))
        return patched

    @staticmethod
    def _get_serialized_string(
        required_task_outputs: FlattenableItems,
    ) -> FlattenableItems:
        if isinstance(required_task_outputs, RequiredTaskOutput):
            return cast("FlattenableItems", required_task_outputs.serialize())
        if isinstance(required_task_outputs, dict):
            return {
                key: GCSObjectMetadataClient._get_serialized_string(value)
                for key, value in required_task_outputs.items()
            }
        if isinstance(required_task_outputs, list | tuple):
            return [GCSObjectMetadataClient._get_serialized_string(item) for item in required_task_outputs]
        raise TypeError(
            f"Unsupported type for required_task_outputs: {type(required_task_outputs)}. "
            "It should be RequiredTaskOutput, dict, or iterable of RequiredTaskOutput."
        )

    @staticmethod
    def _merge_custom_labels_and_task_params_labels(
        normalized_labels_list: list[dict[str, str]],
    ) -> dict[str, str]:
        """The first value of each label wins; empty values are skipped."""
        merged: dict[str, str] = {}
        for labels in normalized_labels_list:
            for name, value in labels.items():
                if value == "":
                    logger.warning(f"value of label_name={name} is empty. So skip to add as a metadata.")
                    continue
                if name in merged:
                    logger.warning(f"label_name={name} is already seen. So skip to add as metadata.")
                    continue
                merged[name] = value
        return merged

    @staticmethod
    def _adjust_gcs_metadata_limit_size(_labels: dict[str, str]) -> dict[str, str]:
        """The longest leading run of labels whose keys and values fit in 8 KiB (UTF-8)."""
        kept: dict[str, str] = {}
        size = 0
        for name, value in _labels.items():
            size += len(name.encode()) + len(value.encode())
            if size > GCSObjectMetadataClient.MAX_GCS_METADATA_SIZE:
                break
            kept[name] = value
        return kept


__all__ = ["GCSObjectMetadataClient"]
