"""A collection respects the writers' Redis dump lock (real redis-server), and the inventory's progress
hooks see every listed file and every parameters log read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import luigi
import pytest

import kart_lock
import kart_task
from _servers import HOST, Server, redis_server, running
from kart_storage import StoredObject, list_objects
from kart_task import CachedTask, TaskOnKart
from kart_task._cache_collect import dump_lock_key


class _LockedLeaf(TaskOnKart[int]):
    value = luigi.IntParameter()

    def run(self) -> None:
        self.dump(self.value)


@pytest.fixture(scope="module")
def redis_srv() -> Iterator[Server]:
    with running(redis_server()) as server:
        yield server


def _leaf(workspace: Path, value: int, server: Server | None = None) -> _LockedLeaf:
    if server is None:
        return _LockedLeaf(value=value, workspace_directory=str(workspace))
    return _LockedLeaf(
        value=value, workspace_directory=str(workspace), redis_host=HOST, redis_port=server.port
    )


def _later() -> datetime:
    return datetime.now(UTC) + timedelta(seconds=2)


def test_the_key_is_the_one_a_task_locks_to_dump(tmp_path: Path, redis_srv: Server) -> None:
    task = _leaf(tmp_path, 1, redis_srv)
    target = task.output()
    assert dump_lock_key(target.path()) == target._get_task_lock_params().redis_key


def test_a_unit_whose_dump_lock_is_held_stays_whole(tmp_path: Path, redis_srv: Server) -> None:
    for value in (1, 2):
        kart_task.build(_leaf(tmp_path, value, redis_srv), reset_register=False)
    busy = _leaf(tmp_path, 1, redis_srv).output().path()
    plan = kart_task.plan_collection(str(tmp_path), older_than=timedelta(0), started_at=_later())
    assert len(plan.removals) == 2
    busy_files = next(r for r in plan.removals if busy in [f.path for f in r.files]).files

    writer = kart_lock.RedisLock(dump_lock_key(busy), host=HOST, port=redis_srv.port)
    assert writer.acquire(blocking=False)
    try:
        result = kart_task.apply_collection(plan, redis_host=HOST, redis_port=redis_srv.port)
    finally:
        writer.release()
    assert sorted(result.locked) == sorted(f.path for f in busy_files)
    assert all(Path(f.path).exists() for f in busy_files)
    assert not _leaf(tmp_path, 2).complete()
    assert _leaf(tmp_path, 1).complete()

    again = kart_task.plan_collection(str(tmp_path), older_than=timedelta(0), started_at=_later())
    result = kart_task.apply_collection(again, redis_host=HOST, redis_port=redis_srv.port)
    assert result.locked == []
    assert not _leaf(tmp_path, 1).complete()
    assert list_objects(str(tmp_path)) == []


def test_the_collection_releases_the_locks_it_took(tmp_path: Path, redis_srv: Server) -> None:
    kart_task.build(_leaf(tmp_path, 3, redis_srv), reset_register=False)
    key = dump_lock_key(_leaf(tmp_path, 3).output().path())
    plan = kart_task.plan_collection(str(tmp_path), older_than=timedelta(0), started_at=_later())
    kart_task.apply_collection(plan, redis_host=HOST, redis_port=redis_srv.port)
    after = kart_lock.RedisLock(key, host=HOST, port=redis_srv.port)
    assert after.acquire(blocking=False)
    after.release()


def test_an_unreachable_redis_removes_nothing_and_names_the_server(tmp_path: Path) -> None:
    kart_task.build(_leaf(tmp_path, 4), reset_register=False)
    with running(redis_server()) as gone:
        port = gone.port
    before = list_objects(str(tmp_path))
    plan = kart_task.plan_collection(str(tmp_path), older_than=timedelta(0), started_at=_later())
    with pytest.raises(kart_lock.LockUnavailableError, match=f"{HOST}.*{port}|{port}"):
        kart_task.apply_collection(plan, redis_host=HOST, redis_port=port)
    assert list_objects(str(tmp_path)) == before


def test_the_progress_hooks_see_every_file_and_every_task(tmp_path: Path) -> None:
    for value in range(5):
        kart_task.build(_leaf(tmp_path, value), reset_register=False)
    listed: list[StoredObject] = []
    read: list[CachedTask] = []
    found = kart_task.cache_inventory(str(tmp_path), on_object=listed.append, on_task=read.append)
    assert sorted(f.path for f in listed) == [f.path for f in list_objects(str(tmp_path))]
    assert sorted(t.unique_id for t in read) == sorted(t.unique_id for t in found.tasks)
    assert len(found.tasks) == 5
    assert sorted(int(t.params["value"]) for t in found.tasks if t.params) == list(range(5))

    units: list[object] = []
    plan = kart_task.plan_collection(
        str(tmp_path), older_than=timedelta(0), started_at=_later(), listed=found
    )
    kart_task.apply_collection(plan, on_unit=units.append)
    assert units == plan.removals
