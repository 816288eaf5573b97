"""A 50-task pipeline with shared upstream tasks, and the entry point of one worker process of the fleet.

10 sources feed 30 middle tasks (2 or 3 sources each), 9 aggregates read 3 to 5 middle tasks (some
middle tasks are read by two aggregates), and one root reads every aggregate. Each `run()` counts itself
with an atomic INCR on `runs:<unique id>` in Redis, so a test can tell exactly how often a task ran across
every worker. Worker processes import this module by name (`many_workers_pipeline`), so output paths are
the same in the workers and in the test that checks them.

    python -c 'import many_workers_pipeline as p; p.main()' '<json options>'
"""

from __future__ import annotations

import json
import logging
import os
import random
import sys
import time
import traceback
from typing import Any

import luigi
import redis

import kart_task

SOURCES = 10
MIDDLES = 30
AGGREGATES = 9

# Parameters every task hands down to the tasks it requires (a fleet shares one configuration).
_CARRIED = (
    "tag",
    "workspace_directory",
    "redis_host",
    "redis_port",
    "redis_timeout",
    "should_lock_run",
    "counter_port",
    "work_seconds",
    "slow_task",
    "slow_seconds",
    "should_dump_supplementary_log_files",
)


def middle_sources(index: int) -> list[int]:
    picked = {index % SOURCES, (index * 3 + 1) % SOURCES}
    if index % 2 == 0:
        picked.add((index * 7 + 5) % SOURCES)
    return sorted(picked)


def aggregate_middles(index: int) -> list[int]:
    picked = {m for m in range(MIDDLES) if m % AGGREGATES == index}
    picked.add((index * 4 + 2) % MIDDLES)  # read by a second aggregate as well
    return sorted(picked)


def expected_value(family: str, index: int = 0) -> int:
    """What a task's output `value` must be, computed without luigi."""
    if family == "Source":
        return index + 1
    if family == "Middle":
        return 2 * sum(expected_value("Source", s) for s in middle_sources(index)) + index
    if family == "Aggregate":
        return sum(expected_value("Middle", m) for m in aggregate_middles(index)) + index
    if family == "Root":
        return sum(expected_value("Aggregate", a) for a in range(AGGREGATES))
    raise ValueError(f"no task family {family!r} in the pipeline")


class FleetTask(kart_task.TaskOnKart[dict[str, Any]]):
    """Counts each run() in Redis, works for a short random time, and dumps a checkable value."""

    tag = luigi.Parameter(description="Separates test runs in luigid and in Redis.")
    counter_port = luigi.IntParameter(significant=False)
    work_seconds = luigi.FloatParameter(default=0.1, significant=False)
    slow_task = luigi.Parameter(default="", significant=False, description="e.g. 'Middle-4'")
    slow_seconds = luigi.FloatParameter(default=0.0, significant=False)

    def carried(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _CARRIED}

    def label(self) -> str:
        return type(self).__name__

    def compute(self, inputs: list[int]) -> int:
        raise NotImplementedError

    def run(self) -> None:
        counter = redis.Redis(host="127.0.0.1", port=self.counter_port)
        uid = self.make_unique_id()
        runs = int(counter.incr(f"runs:{uid}"))
        if self.label() == self.slow_task and runs == 1:
            # The first run of the slow task says where it runs, so a test can kill that worker.
            counter.set(f"slow-pid:{self.tag}", os.getpid())
            time.sleep(self.slow_seconds)
        else:
            time.sleep(self.work_seconds * random.uniform(0.5, 2.0))
        loaded = self.load()
        inputs = [item["value"] for item in loaded] if isinstance(loaded, list) else []
        self.dump({"task": self.label(), "value": self.compute(inputs), "inputs": inputs})


class Source(FleetTask):
    index = luigi.IntParameter()

    def label(self) -> str:
        return f"Source-{self.index}"

    def requires(self) -> list[Any]:
        return []

    def compute(self, inputs: list[int]) -> int:
        return int(self.index) + 1


class Middle(FleetTask):
    index = luigi.IntParameter()

    def label(self) -> str:
        return f"Middle-{self.index}"

    def requires(self) -> list[Source]:
        return [Source(index=s, **self.carried()) for s in middle_sources(self.index)]

    def compute(self, inputs: list[int]) -> int:
        return 2 * sum(inputs) + int(self.index)


class Aggregate(FleetTask):
    index = luigi.IntParameter()

    def label(self) -> str:
        return f"Aggregate-{self.index}"

    def requires(self) -> list[Middle]:
        return [Middle(index=m, **self.carried()) for m in aggregate_middles(self.index)]

    def compute(self, inputs: list[int]) -> int:
        return sum(inputs) + int(self.index)


class Root(FleetTask):
    def requires(self) -> list[Aggregate]:
        return [Aggregate(index=a, **self.carried()) for a in range(AGGREGATES)]

    def compute(self, inputs: list[int]) -> int:
        return sum(inputs)


def all_tasks(root: Root) -> list[FleetTask]:
    """Every distinct task of the graph under `root` (50 of them)."""
    seen: dict[str, FleetTask] = {}
    pending: list[FleetTask] = [root]
    while pending:
        task = pending.pop()
        if task.task_id not in seen:
            seen[task.task_id] = task
            pending.extend(task.requires())
    return list(seen.values())


def main() -> None:
    """One worker: build the root through luigid, print a RESULT line, exit 0 on success and 1 on failure."""
    options: dict[str, Any] = json.loads(sys.argv[1])
    level = logging.getLevelName(options.pop("log_level", "WARNING"))
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format=f"%(asctime)s [worker {os.getpid()}] %(levelname)s %(name)s: %(message)s",
    )
    scheduler = options.pop("scheduler")
    workers = options.pop("workers", 1)
    retry_failed = options.pop("retry_failed_builds", False)
    root = Root(**options)
    try:
        output = _build(root, workers, scheduler, level, retry_failed)
    except Exception as exc:
        traceback.print_exc()
        print("RESULT " + json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}), flush=True)
        sys.exit(1)
    print("RESULT " + json.dumps({"ok": True, "value": output["value"]}), flush=True)


def _build(root: Root, workers: int, scheduler: dict[str, Any], level: int, retry_failed: bool) -> Any:
    """kart_task.build through luigid (it waits while other workers build the root); with `retry_failed`,
    build again after a failed build, as a fleet's job runner would (e.g. a lock lost when Redis restarted).
    """
    deadline = time.monotonic() + 300
    while True:
        try:
            return kart_task.build(
                root,
                workers=workers,
                local_scheduler=False,
                scheduler_host=scheduler["host"],
                scheduler_port=scheduler["port"],
                log_level=level,
            )
        except kart_task.GokartBuildError as exc:
            if not retry_failed or time.monotonic() > deadline:
                raise
            logging.getLogger(__name__).warning("build failed (%s); building again", str(exc).splitlines()[0])
            time.sleep(0.2)


if __name__ == "__main__":
    main()
