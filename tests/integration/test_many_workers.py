"""Many workers, one cache: luigid, Redis and an object store shared by 4 worker processes.

Each worker process builds the same 50-task pipeline (many_workers_pipeline.py) through luigi's central
scheduler with `kart_task.build(..., local_scheduler=False)`. Redis counts every run() (INCR), so the tests
can say exactly how often each task ran across the fleet. Servers start once for the module.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import luigi
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from many_workers_fleet import (
    Fleet,
    Store,
    WorkerProcess,
    object_store,
    run_counts,
    scheduler_and_redis,
    wait_for,
    write_luigi_config,
)
from many_workers_pipeline import Root, all_tasks, expected_value

from _servers import Server

pytestmark = pytest.mark.slow

WORKERS = 4
_tags = itertools.count()


@pytest.fixture(autouse=True)
def _fresh_luigi_instances() -> Iterator[None]:
    luigi.task_register.Register.clear_instance_cache()
    yield
    luigi.task_register.Register.clear_instance_cache()


@pytest.fixture(scope="module")
def fleet_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A dead worker is noticed after 3 s; a failed task (lock collision, lost lock) is retried after 1 s.
    return write_luigi_config(tmp_path_factory.mktemp("luigi"), worker_disconnect_delay=3.0, retry_delay=1.0)


@pytest.fixture(scope="module")
def servers(fleet_config: Path) -> Iterator[tuple[Server, Server]]:
    with scheduler_and_redis(fleet_config) as started:
        yield started


@pytest.fixture(scope="module")
def s3_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with object_store("s3", tmp_path_factory.mktemp("aws")) as store:
        yield store


@pytest.fixture(scope="module")
def gcs_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with object_store("gs", tmp_path_factory.mktemp("gcs")) as store:
        yield store


def _fleet(servers: tuple[Server, Server], store: Store, config: Path, logs: Path) -> Fleet:
    scheduler, redis_process = servers
    return Fleet(scheduler, redis_process, store, config, logs)


@pytest.fixture
def s3_fleet(servers: tuple[Server, Server], s3_store: Store, fleet_config: Path, tmp_path: Path) -> Fleet:
    return _fleet(servers, s3_store, fleet_config, tmp_path)


@pytest.fixture
def gcs_fleet(servers: tuple[Server, Server], gcs_store: Store, fleet_config: Path, tmp_path: Path) -> Fleet:
    return _fleet(servers, gcs_store, fleet_config, tmp_path)


def _new_tag(name: str) -> str:
    # A significant parameter: new task ids in luigid and new counter keys in Redis for every test.
    return f"{name}-{os.getpid()}-{next(_tags)}"


def _assert_all_succeeded(workers: list[WorkerProcess]) -> None:
    expected_root = expected_value("Root")
    for worker in workers:
        assert worker.process.returncode == 0, worker.describe()
        assert worker.result == {"ok": True, "value": expected_root}, worker.describe()


def _assert_outputs_intact(root: Root, store: Store, bucket: str) -> None:
    """Every task's output loads and holds the value computed without luigi; no stray object exists."""
    tasks = all_tasks(root)
    assert len(tasks) == 50
    for task in tasks:
        family, _, index = task.label().partition("-")
        loaded = task.output().load()
        assert loaded["task"] == task.label()
        assert loaded["value"] == expected_value(family, int(index or 0)), task.label()
    outputs = {task.output().path() for task in tasks}
    objects = store.list_objects(bucket)
    data_objects = [path for path in objects if "/log/" not in path]
    assert sorted(data_objects) == sorted(outputs), "objects other than task outputs (partial writes?)"


def _duplicates(counts: dict[str, int]) -> int:
    return sum(count - 1 for count in counts.values() if count > 1)


def _build_with_fleet(
    fleet: Fleet, tag: str, should_lock_run: bool, log_files: bool = False
) -> tuple[Root, str, dict[str, int]]:
    bucket = fleet.store.new_bucket()
    options = fleet.task_options(
        tag,
        f"{bucket}/resources",
        should_lock_run=should_lock_run,
        should_dump_supplementary_log_files=log_files,
    )
    workers = fleet.start_workers(WORKERS, options)
    wait_for(workers, timeout=120)
    _assert_all_succeeded(workers)
    root = Root(**options)
    counts = run_counts(fleet.counter(), all_tasks(root))
    assert all(count >= 1 for count in counts.values()), counts
    _assert_outputs_intact(root, fleet.store, bucket)
    return root, bucket, counts


def test_run_lock_makes_every_task_run_exactly_once_on_s3(s3_fleet: Fleet) -> None:
    _, bucket, counts = _build_with_fleet(s3_fleet, _new_tag("s3-lock"), True, log_files=True)
    assert counts == dict.fromkeys(counts, 1)
    # gokart's supplementary logs are written once per task too, next to the outputs.
    params = [path for path in s3_fleet.store.list_objects(bucket) if "/log/task_params/" in path]
    assert len(params) == 50


def test_run_lock_makes_every_task_run_exactly_once_on_gcs(gcs_fleet: Fleet) -> None:
    _, _, counts = _build_with_fleet(gcs_fleet, _new_tag("gcs-lock"), should_lock_run=True)
    assert counts == dict.fromkeys(counts, 1)


def test_without_run_lock_the_pipeline_completes_and_duplicates_are_counted(
    s3_fleet: Fleet, record_property: pytest.RecordProperty
) -> None:
    _, _, counts = _build_with_fleet(s3_fleet, _new_tag("s3-nolock"), should_lock_run=False)
    duplicates = _duplicates(counts)
    record_property("duplicate_runs_without_lock", duplicates)
    print(f"\nwithout should_lock_run: {duplicates} duplicate run() calls over {len(counts)} tasks")


def _wait_for_slow_pid(fleet: Fleet, tag: str, workers: list[WorkerProcess], timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fleet.counter().get(f"slow-pid:{tag}")
        if value is not None:
            return int(value)
        if all(worker.process.poll() is not None for worker in workers):
            break
        time.sleep(0.05)
    logs = "\n".join(worker.describe() for worker in workers)
    raise AssertionError(f"the slow task never started:\n{logs}")


def test_sigkilled_worker_its_task_is_run_again_after_the_lock_expires(s3_fleet: Fleet) -> None:
    tag = _new_tag("s3-kill")
    bucket = s3_fleet.store.new_bucket()
    # redis_timeout must exceed gokart's 10 s lock extension interval; 11 s is the shortest allowed.
    options = s3_fleet.task_options(
        tag,
        f"{bucket}/resources",
        should_lock_run=True,
        redis_timeout=11,
        slow_task="Middle-4",
        slow_seconds=120.0,
    )
    workers = s3_fleet.start_workers(WORKERS, options)
    slow_pid = _wait_for_slow_pid(s3_fleet, tag, workers, timeout=60)
    by_pid = {worker.pid: worker for worker in workers}
    assert slow_pid in by_pid, f"the slow task runs in {slow_pid}, not in one of our workers {list(by_pid)}"
    root = Root(**options)
    slow = next(task for task in all_tasks(root) if task.label() == "Middle-4")
    assert not slow.output().exists()
    os.kill(slow_pid, signal.SIGKILL)
    killed = by_pid.pop(slow_pid)
    killed.process.wait(timeout=10)
    assert killed.process.returncode == -signal.SIGKILL

    survivors = list(by_pid.values())
    wait_for(survivors, timeout=120)
    _assert_all_succeeded(survivors)
    counts = run_counts(s3_fleet.counter(), all_tasks(root))
    assert counts.pop("Middle-4") == 2, "the killed task runs once more, in a surviving worker"
    assert counts == dict.fromkeys(counts, 1)
    _assert_outputs_intact(root, s3_fleet.store, bucket)
    # The survivors met the dead worker's run lock before it expired, and waited for it.
    survivors_logs = "".join(worker.stderr() for worker in survivors)
    assert "Lock already taken by other task" in survivors_logs


def test_redis_restart_during_the_run_is_reported_and_the_cache_stays_consistent(s3_fleet: Fleet) -> None:
    tag = _new_tag("s3-redis-restart")
    bucket = s3_fleet.store.new_bucket()
    options = s3_fleet.task_options(
        tag, f"{bucket}/resources", should_lock_run=True, work_seconds=0.3, retry_failed_builds=True
    )
    root = Root(**{name: value for name, value in options.items() if name != "retry_failed_builds"})
    tasks = all_tasks(root)
    workers = s3_fleet.start_workers(WORKERS, options)
    deadline = time.monotonic() + 60
    while sum(run_counts(s3_fleet.counter(), tasks).values()) < 12:
        assert time.monotonic() < deadline, "\n".join(w.describe() for w in workers)
        time.sleep(0.05)
    s3_fleet.redis.restart()  # every lock and counter is gone; running tasks are mid-run()
    wait_for(workers, timeout=120)
    _assert_all_succeeded(workers)
    _assert_outputs_intact(root, s3_fleet.store, bucket)
    logs = "".join(worker.stderr() for worker in workers)
    assert "was lost while held" in logs or "is presumed lost" in logs, logs[-6000:]

    # A second build finds everything complete: no run() starts and no object is written.
    counts_before = run_counts(s3_fleet.counter(), tasks)
    objects_before = s3_fleet.store.list_objects(bucket)
    again = s3_fleet.start_workers(1, {**options, "retry_failed_builds": False})
    wait_for(again, timeout=60)
    _assert_all_succeeded(again)
    assert run_counts(s3_fleet.counter(), tasks) == counts_before
    assert s3_fleet.store.list_objects(bucket) == objects_before


def test_build_waits_for_a_root_run_elsewhere(s3_fleet: Fleet) -> None:
    """build() on luigid returns the root's output also when another worker runs the root."""
    tag = _new_tag("s3-root-elsewhere")
    bucket = s3_fleet.store.new_bucket()
    options = s3_fleet.task_options(tag, f"{bucket}/resources", slow_task="Root", slow_seconds=15.0)
    first = s3_fleet.start_workers(1, options)
    _wait_for_slow_pid(s3_fleet, tag, first, timeout=90)  # the root is inside run() in the first worker
    second = s3_fleet.start_workers(1, options)
    wait_for(first + second, timeout=90)
    _assert_all_succeeded(first + second)


def test_command_line_workers_share_the_pipeline_with_run_lock(s3_fleet: Fleet) -> None:
    """gokart.run's way: `python -m many_workers_cli Root --scheduler-host ... --scheduler-port ...`."""
    tag = _new_tag("s3-cli")
    bucket = s3_fleet.store.new_bucket()
    options = s3_fleet.task_options(tag, f"{bucket}/resources", should_lock_run=True)
    workers = s3_fleet.start_cli_workers(WORKERS, options)
    wait_for(workers, timeout=120)
    # gokart exits 30 (`not_run`) when luigid gave some of this worker's tasks to other workers; kart
    # exits 0 once the root is complete and nothing failed, so fleet scripts see success.
    codes = [worker.process.returncode for worker in workers]
    for worker in workers:
        assert worker.process.returncode == 0, worker.describe()
        assert "Traceback" not in worker.stderr(), worker.describe()
    print(f"\ncommand-line workers exited with {codes}")
    root = Root(**options)
    assert root.complete()
    counts = run_counts(s3_fleet.counter(), all_tasks(root))
    assert counts == dict.fromkeys(counts, 1)
    _assert_outputs_intact(root, s3_fleet.store, bucket)
