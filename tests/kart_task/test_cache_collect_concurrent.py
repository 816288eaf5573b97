"""A collection on S3 and GCS removes several units at a time (each costs a request per file, twice),
keeps the plan's order in its result and raises the first failure; a local one stays in one thread."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import kart_storage
from _servers import Server
from kart_storage._listing import StoredObject, list_objects
from kart_task import _cache_collect
from kart_task._cache_collect import CollectionPlan, apply_collection, plan_collection

_FILES = 6


@pytest.fixture(params=["s3", "gcs"])
def remote_workspace(request: pytest.FixtureRequest) -> str:
    """An empty workspace in a fresh bucket on the S3 server or the GCS emulator."""
    bucket = f"kart-gc-{uuid.uuid4().hex[:12]}"
    if request.param == "s3":
        request.getfixturevalue("s3_server")
        filesystem: Any = kart_storage.filesystem_for(f"s3://{bucket}/")
        filesystem.client.create_bucket(Bucket=bucket)
        return f"s3://{bucket}/ws"
    server: Server = request.getfixturevalue("gcs_server")
    del server
    filesystem = kart_storage.filesystem_for(f"gs://{bucket}/")
    filesystem.client.create_bucket(bucket)
    return f"gs://{bucket}/ws"


def _planned(workspace: str) -> CollectionPlan:
    """Six stray files (a unit each), all old enough to go."""
    for index in range(_FILES):
        path = f"{workspace}/stray-{index}.bin"
        with kart_storage.filesystem_for(path).open_write(path) as stream:
            stream.write(b"x" * (index + 1))
    later = datetime.now(UTC) + timedelta(seconds=2)
    return plan_collection(workspace, older_than=timedelta(0), started_at=later)


def _wrapped_check(monkeypatch: pytest.MonkeyPatch, before: Callable[[], None]) -> list[str]:
    """Run `before` at the start of each unit's time check; the names of the threads that ran it."""
    threads: list[str] = []
    real = _cache_collect._changed_since

    def checked(files: list[StoredObject], cutoff: datetime) -> bool:
        threads.append(threading.current_thread().name)
        before()
        return real(files, cutoff)

    monkeypatch.setattr(_cache_collect, "_changed_since", checked)
    return threads


def test_units_on_an_object_store_are_removed_at_the_same_time(
    remote_workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = _planned(remote_workspace)
    both_inside = threading.Barrier(2, timeout=10)  # broken (and the test failed) when units run in a row
    threads = _wrapped_check(monkeypatch, lambda: both_inside.wait())
    monkeypatch.setattr(_cache_collect, "_REMOVERS", 2)
    seen: list[str] = []

    result = apply_collection(plan, on_unit=lambda removal: seen.append(removal.files[0].path))

    assert result.removed == plan.paths  # the plan's order, whatever order the units finished in
    assert sorted(seen) == sorted(plan.paths)  # each unit reported once
    assert result.size == sum(range(1, _FILES + 1))
    assert list_objects(remote_workspace) == []
    assert len(set(threads)) == 2
    assert all(name.startswith("kart-cache-gc") for name in threads)


def test_the_first_failure_of_a_unit_is_raised(
    remote_workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = _planned(remote_workspace)
    failing = plan.paths[2]
    real = _cache_collect._remove_unit

    def remove(removal: _cache_collect.Removal, result: _cache_collect.CollectionResult) -> None:
        if removal.files[0].path == failing:
            raise PermissionError(f"access denied: {failing}")
        real(removal, result)

    monkeypatch.setattr(_cache_collect, "_remove_unit", remove)

    with pytest.raises(PermissionError, match="access denied"):
        apply_collection(plan)
    assert failing in [found.path for found in list_objects(remote_workspace)]


def test_a_local_collection_stays_in_the_calling_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = _planned(str(tmp_path / "ws"))
    threads = _wrapped_check(monkeypatch, lambda: None)

    result = apply_collection(plan)

    assert result.removed == plan.paths
    assert threads == [threading.current_thread().name] * _FILES
