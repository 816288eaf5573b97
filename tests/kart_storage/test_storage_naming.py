"""gokart's `_<unique id>` file naming (storage.md §2.1)."""

from __future__ import annotations

import pytest

from kart_storage import make_file_path


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("dir/file.pkl", "dir/file_UID.pkl"),
        ("dir/file", "dir/file_UID"),
        ("a.tar.gz", "a.tar_UID.gz"),
        ("dir/.hidden", "dir/.hidden_UID"),
        ("s3://b/k/x.csv", "s3://b/k/x_UID.csv"),
        ("gs://b/k/x.csv", "gs://b/k/x_UID.csv"),
        ("./resources/gokart/task/TaskOnKart.zip", "./resources/gokart/task/TaskOnKart_UID.zip"),
    ],
)
def test_unique_id_is_inserted_before_the_last_suffix(path: str, expected: str) -> None:
    assert make_file_path(path, "UID") == expected


def test_no_unique_id_keeps_the_path() -> None:
    assert make_file_path("dir/file.pkl", None) == "dir/file.pkl"
