"""The 50-task pipeline on luigid with 1, 2 and 4 worker processes, with and without should_lock_run.

Wall time is from starting the worker processes until the last one exits (process start-up included, as
on a real fleet). Redis counts every run(), so each round also reports how many run() calls were
duplicates. Run:
    hatch run pytest benchmarks/bench_many_workers.py -o python_files='bench_*.py' --benchmark-only
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import luigi
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))

from many_workers_fleet import (
    Fleet,
    Store,
    object_store,
    run_counts,
    scheduler_and_redis,
    wait_for,
    write_luigi_config,
)
from many_workers_pipeline import Root, all_tasks, expected_value

_rounds = itertools.count()
_table: list[tuple[int, bool, float, int]] = []


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    config = write_luigi_config(tmp_path_factory.mktemp("luigi"))
    with scheduler_and_redis(config) as (scheduler, redis_process):
        store: Store
        with object_store("s3", tmp_path_factory.mktemp("aws")) as store:
            yield Fleet(scheduler, redis_process, store, config, tmp_path_factory.mktemp("logs"))


def _print_table(capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\nworkers  should_lock_run  wall time (s)  duplicate run() calls")
        for workers, locked, seconds, duplicates in _table:
            print(f"{workers:>7}  {locked!s:>15}  {seconds:>13.1f}  {duplicates:>21}")


def _one_fleet_run(fleet: Fleet, workers: int, should_lock_run: bool) -> tuple[float, int]:
    luigi.task_register.Register.clear_instance_cache()
    tag = f"bench-{os.getpid()}-{next(_rounds)}"
    bucket = fleet.store.new_bucket()
    options = fleet.task_options(tag, f"{bucket}/resources", should_lock_run=should_lock_run)
    started = time.perf_counter()
    processes = fleet.start_workers(workers, options)
    wait_for(processes, timeout=300)
    seconds = time.perf_counter() - started
    for process in processes:
        assert process.result == {"ok": True, "value": expected_value("Root")}, process.describe()
    counts = run_counts(fleet.counter(), all_tasks(Root(**options)))
    assert all(count >= 1 for count in counts.values()), counts
    return seconds, sum(count - 1 for count in counts.values())


@pytest.mark.parametrize("should_lock_run", [False, True], ids=["no-lock", "run-lock"])
@pytest.mark.parametrize("workers", [1, 2, 4])
def test_pipeline_on_luigid(
    benchmark: Any, fleet: Fleet, workers: int, should_lock_run: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    measured: list[tuple[float, int]] = []
    benchmark.pedantic(lambda: measured.append(_one_fleet_run(fleet, workers, should_lock_run)), rounds=1)
    seconds, duplicates = measured[0]
    benchmark.extra_info.update(
        {
            "workers": workers,
            "should_lock_run": should_lock_run,
            "wall_seconds": seconds,
            "duplicates": duplicates,
        }
    )
    _table.append((workers, should_lock_run, seconds, duplicates))
    _print_table(capsys)  # the table so far (complete after the last case)
    if should_lock_run:
        assert duplicates == 0
