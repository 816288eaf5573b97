"""GCS task-state labels (storage.md §12), sent with the upload."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import BinaryIO

from kart_storage import RequiredTaskOutput, SingleFileTarget, make_file_processor, task_state_labels


class RecordingFileSystem:
    def __init__(self) -> None:
        self.metadata: dict[str, Mapping[str, str] | None] = {}
        self.data: dict[str, bytes] = {}

    def exists(self, path: str) -> bool:
        return path in self.data

    def exists_many(self, paths: Sequence[str]) -> list[bool]:
        return [path in self.data for path in paths]

    @contextlib.contextmanager
    def open_read(self, path: str) -> Iterator[BinaryIO]:
        yield io.BytesIO(self.data[path])

    @contextlib.contextmanager
    def open_write(self, path: str, *, metadata: Mapping[str, str] | None = None) -> Iterator[BinaryIO]:
        buffer = io.BytesIO()
        yield buffer
        self.data[path] = buffer.getvalue()
        self.metadata[path] = metadata

    def remove(self, path: str) -> None:
        del self.data[path]

    def last_modified(self, path: str) -> datetime:
        return datetime.now(UTC)


def test_labels_merge_in_priority_order_and_skip_empty_values() -> None:
    labels = task_state_labels(
        "gs://bucket/out/x.pkl",
        task_params={"param": 1, "shared": "from params", "empty": ""},
        custom_labels={"shared": "custom", "flag": True},
        required_task_outputs=[RequiredTaskOutput("task1", "path/to/output1")],
    )
    assert labels == {
        "shared": "custom",
        "flag": "True",
        "param": "1",
        "__required_task_outputs": (
            '[{"__gokart_task_name": "task1", "__gokart_output_path": "path/to/output1"}]'
        ),
    }
    assert list(labels)[-1] == "__required_task_outputs"


def test_nested_required_outputs_and_log_paths() -> None:
    labels = task_state_labels(
        "gs://b/x.pkl", required_task_outputs={"nested": {"nest": RequiredTaskOutput("t", "p")}}
    )
    assert json.loads(labels["__required_task_outputs"]) == {
        "nested": {"nest": {"__gokart_task_name": "t", "__gokart_output_path": "p"}}
    }
    assert task_state_labels("gs://b/a/log/task_params/x.pkl", task_params={"p": "v"}) == {}
    assert task_state_labels("gs://b/x.pkl", required_task_outputs=[]) == {}


def test_labels_are_trimmed_from_the_end_to_8_kib() -> None:
    labels = task_state_labels("gs://b/x.pkl", task_params={"a": "x" * 5000, "b": "y" * 5000})
    assert list(labels) == ["a"]


def test_gcs_dump_sends_labels_with_the_upload_and_other_schemes_do_not() -> None:
    filesystem = RecordingFileSystem()
    processor = make_file_processor("x.pkl")
    for path in ("gs://bucket/x.pkl", "s3://bucket/x.pkl"):
        SingleFileTarget(path, processor, filesystem=filesystem).dump(
            1, task_params={"p": "v"}, custom_labels={"team": "ml"}
        )
    assert filesystem.metadata == {"gs://bucket/x.pkl": {"team": "ml", "p": "v"}, "s3://bucket/x.pkl": None}
