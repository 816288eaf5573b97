"""The cache inventory and collection (kart_task._cache_inventory, _cache_reachability, _cache_collect)
on local disk, moto's S3 server and the GCS emulator: a workspace holding the outputs of two parameter
sets and some stray files."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import luigi
import pytest

import kart_storage
import kart_task
from _request_log import RequestLog
from _servers import Server
from kart_storage._listing import list_objects
from kart_task import TaskOnKart
from kart_task._cache_collect import CollectionPlan, Removal, apply_collection, plan_collection
from kart_task._cache_inventory import cache_inventory, named_unique_id

_STRAYS = ("stray.txt", "misc/notes.csv", "log/README")


def _record(calls: str, name: str) -> None:
    """A file per run: counts runs made in forked task processes too."""
    Path(calls, f"{name}-{uuid.uuid4().hex}").touch()


def _runs(calls: str) -> int:
    return len(os.listdir(calls))


class _GcLeaf(TaskOnKart[list[int]]):
    size = luigi.IntParameter()
    calls = luigi.Parameter(significant=False)

    def run(self) -> None:
        _record(self.calls, "leaf")
        self.dump(list(range(self.size)))


class _GcRoot(TaskOnKart[int]):
    size = luigi.IntParameter()
    calls = luigi.Parameter(significant=False)

    def requires(self) -> _GcLeaf:
        return _GcLeaf(size=self.size, calls=self.calls, workspace_directory=self.workspace_directory)

    def run(self) -> None:
        _record(self.calls, "root")
        self.dump(len(self.load()))


@pytest.fixture(params=["local", "s3", "gcs"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Server | None]:
    """A fresh workspace on each store, and the server that logs its requests."""
    if request.param == "local":
        return str(tmp_path / "ws"), None
    bucket = f"kart-gc-{uuid.uuid4().hex[:12]}"
    if request.param == "s3":
        server: Server = request.getfixturevalue("s3_server")
        filesystem: Any = kart_storage.filesystem_for(f"s3://{bucket}/")
        filesystem.client.create_bucket(Bucket=bucket)
        return f"s3://{bucket}/ws", server
    server = request.getfixturevalue("gcs_server")
    filesystem = kart_storage.filesystem_for(f"gs://{bucket}/")
    filesystem.client.create_bucket(bucket)
    return f"gs://{bucket}/ws", server


@pytest.fixture
def calls(tmp_path: Path) -> str:
    folder = tmp_path / "calls"
    folder.mkdir()
    return str(folder)


def _root(workspace: str, calls: str, size: int) -> _GcRoot:
    return _GcRoot(size=size, calls=calls, workspace_directory=workspace)


def _write(path: str, data: bytes = b"stray") -> None:
    with kart_storage.filesystem_for(path).open_write(path) as stream:
        stream.write(data)


def _filled(workspace: str, calls: str) -> None:
    """Outputs (and logs) of two parameter sets, and three files no task wrote."""
    for size in (1, 2):
        kart_task.build(_root(workspace, calls, size), reset_register=False)
    for name in _STRAYS:
        _write(f"{workspace}/{name}")


def _later() -> datetime:
    """A collection start safely after everything the test wrote (stores keep whole seconds)."""
    return datetime.now(UTC) + timedelta(seconds=2)


def test_the_inventory_attributes_every_file(store: tuple[str, Server | None], calls: str) -> None:
    workspace, _ = store
    _filled(workspace, calls)

    found = cache_inventory(workspace)

    attributed = [f.path for task in found.tasks for f in task.files] + [f.path for f in found.stray]
    assert sorted(attributed) == [f.path for f in list_objects(workspace)]  # each file exactly once
    assert sorted(f.path for f in found.stray) == sorted(f"{workspace}/{name}" for name in _STRAYS)
    totals = found.totals()
    assert sorted(totals) == ["_GcLeaf", "_GcRoot"]
    assert totals["_GcLeaf"].tasks == totals["_GcRoot"].tasks == 2
    assert sum(t.size for t in totals.values()) + 3 * len(b"stray") == found.size
    for task in found.tasks:
        (output,) = task.outputs
        assert named_unique_id(output.path) == (task.task_family, task.unique_id)
        assert any("/log/task_params/" in log.path for log in task.logs)
        assert task.params is not None
        assert task.params["size"] in {"1", "2"}
    leaves = {
        task.params["size"]: task for task in found.tasks if task.task_family == "_GcLeaf" if task.params
    }
    assert (
        leaves["1"].unique_id == _GcLeaf(size=1, calls=calls, workspace_directory=workspace).make_unique_id()
    )


def test_gc_keeps_exactly_what_the_root_needs(store: tuple[str, Server | None], calls: str) -> None:
    workspace, _ = store
    _filled(workspace, calls)
    before = cache_inventory(workspace, read_params=False)
    root = _root(workspace, calls, 1)
    keep = {root.make_unique_id(), root.requires().make_unique_id()}

    plan = plan_collection(workspace, roots=[root], started_at=_later())
    result = apply_collection(plan)

    kept_files = sorted(f.path for t in before.tasks if t.unique_id in keep for f in t.files)
    assert [f.path for f in list_objects(workspace)] == kept_files
    assert result.removed == plan.paths  # in the plan's order, on every store
    assert result.size == plan.size == before.size - sum(t.size for t in before.tasks if t.unique_id in keep)
    runs = _runs(calls)
    assert kart_task.build(_root(workspace, calls, 1), reset_register=False) == 1
    assert _runs(calls) == runs  # the following build runs nothing


def test_a_dry_run_deletes_nothing(store: tuple[str, Server | None], calls: str) -> None:
    workspace, _ = store
    _filled(workspace, calls)
    listed = list_objects(workspace)

    plan = plan_collection(workspace, roots=[_root(workspace, calls, 1)], started_at=_later())

    assert plan.paths
    assert plan.size > 0
    assert list_objects(workspace) == listed


def test_a_file_written_after_the_start_survives(store: tuple[str, Server | None], calls: str) -> None:
    workspace, _ = store
    _filled(workspace, calls)
    start = datetime.now(UTC)
    _write(f"{workspace}/late/new_file.bin")

    plan = plan_collection(workspace, roots=[_root(workspace, calls, 1)], started_at=start)
    apply_collection(plan)

    assert f"{workspace}/late/new_file.bin" not in plan.paths
    assert f"{workspace}/late/new_file.bin" in [f.path for f in list_objects(workspace)]


@pytest.mark.parametrize("store", ["s3", "gcs"], indirect=True)
def test_the_inventory_costs_list_pages_only(store: tuple[str, Server | None], calls: str) -> None:
    workspace, server = store
    assert server is not None
    _filled(workspace, calls)
    log = RequestLog(server)

    found = cache_inventory(workspace, read_params=False)
    plan_collection(workspace, older_than=timedelta(days=1), listed=found, started_at=_later())

    assert len(found.tasks) == 4
    # one page of objects; on S3 one more of unfinished multipart uploads
    assert log.counts() == {"list": 2 if workspace.startswith("s3://") else 1}


def test_age_and_size_choose_the_least_recently_written(tmp_path: Path, calls: str) -> None:
    workspace = str(tmp_path / "ws")
    _filled(workspace, calls)
    found = cache_inventory(workspace, read_params=False)
    old = datetime.now(UTC) - timedelta(days=10)
    oldest = found.tasks[0]
    for task in found.tasks:  # every file ten days old, the first task's a day older still
        for f in task.files:
            moment = (old - timedelta(days=1) if task is oldest else old).timestamp()
            os.utime(f.path, (moment, moment))
    for name in _STRAYS:
        os.utime(f"{workspace}/{name}", (old.timestamp() + 60, old.timestamp() + 60))
    found = cache_inventory(workspace, read_params=False)

    by_age = plan_collection(workspace, older_than=timedelta(days=10, hours=12), listed=found)
    assert [r.task.unique_id for r in by_age.removals if r.task] == [oldest.unique_id]
    assert len(by_age.removals) == 1  # the strays are younger than the age

    by_size = plan_collection(workspace, max_size=found.size - 1, listed=found)
    assert [r.task.unique_id for r in by_size.removals if r.task] == [oldest.unique_id]


def test_roots_narrow_what_an_age_or_a_size_removes(tmp_path: Path, calls: str) -> None:
    workspace = str(tmp_path / "ws")
    _filled(workspace, calls)
    found = cache_inventory(workspace, read_params=False)
    root = _root(workspace, calls, 1)
    needed = {root.make_unique_id(), root.requires().make_unique_id()}
    old = (datetime.now(UTC) - timedelta(days=10)).timestamp()
    for task in found.tasks:  # every task ten days old; the strays stay new
        for f in task.files:
            os.utime(f.path, (old, old))
    found = cache_inventory(workspace, read_params=False)
    unneeded = sorted(t.unique_id for t in found.tasks if t.unique_id not in needed)

    by_age = plan_collection(
        workspace, roots=[root], older_than=timedelta(days=1), listed=found, started_at=_later()
    )
    assert sorted(r.task.unique_id for r in by_age.removals if r.task) == unneeded
    assert all(r.task for r in by_age.removals)  # new strays stay: younger than the age
    assert all(r.reason.startswith("not needed by the roots; older than") for r in by_age.removals)

    by_size = plan_collection(workspace, roots=[root], max_size=0, listed=found, started_at=_later())
    assert sorted(r.task.unique_id for r in by_size.removals if r.task) == unneeded
    assert len(by_size.removals) == len(unneeded) + len(_STRAYS)  # nothing needed goes, even over size

    roots_alone = plan_collection(workspace, roots=[root], listed=found, started_at=_later())
    assert len(roots_alone.removals) == len(unneeded) + len(_STRAYS)


def test_a_collection_needs_a_criterion(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="roots to keep"):
        plan_collection(str(tmp_path))


def test_companions_follow_their_output_or_log_on_a_memory_workspace() -> None:
    workspace = f"memory://ws-{uuid.uuid4().hex}"
    uid = "0123456789abcdef0123456789abcdef"
    output = f"{workspace}/pkg/mod/Task_{uid}.pkl"
    log = f"{workspace}/log/task_params/Task_{uid}.pkl"
    for path in (
        output,
        f"{output}.kart-digest",
        log,
        f"{log}.kart-digest",
        f"{workspace}/gone.pkl.kart-digest",
    ):
        _write(path)

    found = cache_inventory(workspace, read_params=False)

    (task,) = found.tasks
    assert (task.task_family, task.unique_id) == ("Task", uid)
    assert [f.path for f in task.files[:2]] == [output, log]  # the bytes before their seals
    assert sorted(f.path for f in task.files[2:]) == sorted([f"{output}.kart-digest", f"{log}.kart-digest"])
    assert [f.path for f in found.stray] == [f"{workspace}/gone.pkl.kart-digest"]  # its output is gone


def _planned_a_day_later(workspace: str, calls: str) -> CollectionPlan:
    """The filled workspace, every file a day old, and a collection planned now by the size-1 root."""
    _filled(workspace, calls)
    old = (datetime.now(UTC) - timedelta(days=1)).timestamp()
    for found in list_objects(workspace):
        os.utime(found.path, (old, old))
    return plan_collection(workspace, roots=[_root(workspace, calls, 1)])


def test_an_output_rewritten_after_the_plan_stays_whole(tmp_path: Path, calls: str) -> None:
    workspace = str(tmp_path / "ws")
    plan = _planned_a_day_later(workspace, calls)
    rewritten = _GcLeaf(size=2, calls=calls, workspace_directory=workspace)
    rewritten.dump([0, 1])  # a build writes it again between the plan and its application

    result = apply_collection(plan)

    leaf_files = [
        f.path
        for r in plan.removals
        if r.task and r.task.unique_id == rewritten.make_unique_id()
        for f in r.files
    ]
    assert leaf_files
    assert set(leaf_files) <= set(result.skipped)
    assert all(os.path.exists(path) for path in leaf_files)
    assert not os.path.exists(f"{workspace}/stray.txt")


def test_a_log_or_a_stray_file_rewritten_after_the_plan_stays(tmp_path: Path, calls: str) -> None:
    workspace = str(tmp_path / "ws")
    plan = _planned_a_day_later(workspace, calls)
    leaf = next(r for r in plan.removals if r.task and r.task.task_family == "_GcLeaf")
    assert leaf.task is not None
    params_log = next(f.path for f in leaf.task.logs if "/log/task_params/" in f.path)
    _write(params_log, b"rewritten")  # a build of that task has begun: its logs come first
    _write(f"{workspace}/stray.txt", b"rewritten")

    result = apply_collection(plan)

    assert all(os.path.exists(f.path) for f in leaf.files)
    assert {f.path for f in leaf.files} <= set(result.skipped)
    assert os.path.exists(f"{workspace}/stray.txt")
    assert not os.path.exists(f"{workspace}/misc/notes.csv")  # untouched strays still go


def test_nothing_outside_the_workspace_is_removed(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("keep")
    stray = kart_storage._listing.StoredObject(str(outside), 4, datetime(2000, 1, 1, tzinfo=UTC))
    plan = CollectionPlan(str(tmp_path / "ws"), datetime.now(UTC), [Removal([stray], "forged")])

    with pytest.raises(ValueError, match="outside the workspace"):
        apply_collection(plan)
    assert outside.exists()
