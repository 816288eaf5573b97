"""kart's in-process scheduler answers exactly as luigi's does, on random graphs driven identically."""

from __future__ import annotations

import itertools
import time
from typing import Any

import luigi.scheduler
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from luigi.scheduler import DONE, FAILED

from kart_task._build import WorkerSchedulerFactory
from kart_task._scheduler import LocalScheduler

WORKER = "worker-1"
COUNTS = ("n_pending_tasks", "n_unique_pending", "n_pending_last_scheduled", "worker_state", "running_tasks")


@pytest.fixture
def steady_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Distinct, slowly advancing task times: ranks never tie and no retry delay or timeout expires."""
    ticks = itertools.count()
    monkeypatch.setattr(time, "time", lambda: 1_700_000_000 + next(ticks) * 1e-4)


@st.composite
def graphs(draw: Any) -> dict[str, Any]:
    size = draw(st.integers(min_value=1, max_value=25))
    deps = {
        f"T{i}": sorted(draw(st.sets(st.integers(0, i - 1), max_size=3))) if i else [] for i in range(size)
    }
    return {
        "deps": {task: [f"T{d}" for d in ds] for task, ds in deps.items()},
        "add_order": draw(st.permutations(sorted(deps))),
        "priorities": draw(
            st.one_of(st.just({}), st.dictionaries(st.sampled_from(sorted(deps)), st.integers(-3, 3)))
        ),
        "resources": draw(st.booleans()) and draw(st.sampled_from(sorted(deps))),
        "failures": draw(st.sets(st.sampled_from(sorted(deps)))),
        "parallel": draw(st.integers(min_value=1, max_value=3)),
    }


def _add_all(scheduler: luigi.scheduler.Scheduler, graph: dict[str, Any]) -> None:
    for task_id in graph["add_order"]:
        extra: dict[str, Any] = {}
        if task_id in graph["priorities"]:
            extra["priority"] = graph["priorities"][task_id]
        if graph["resources"] == task_id:
            extra["resources"] = {"gpu": 1}
        scheduler.add_task(
            worker=WORKER,
            task_id=task_id,
            deps=graph["deps"][task_id],
            family=task_id,
            runnable=True,
            **extra,
        )


def _drive(scheduler: luigi.scheduler.Scheduler, graph: dict[str, Any]) -> list[tuple[Any, ...]]:
    """A worker with `parallel` slots: ask for work until nothing is handed out, finishing the oldest."""
    transcript: list[tuple[Any, ...]] = []
    running: list[str] = []
    for _ in range(4 * len(graph["deps"]) + 4):
        reply = scheduler.get_work(worker=WORKER, host="localhost", current_tasks=list(running))
        transcript.append((reply["task_id"], *(reply[key] for key in COUNTS)))
        if reply["task_id"] is not None:
            running.append(reply["task_id"])
        if reply["task_id"] is None or len(running) >= graph["parallel"]:
            if not running:
                break
            done = running.pop(0)
            status = FAILED if done in graph["failures"] else DONE
            scheduler.add_task(worker=WORKER, task_id=done, status=status, runnable=True, family=done)
        transcript.append(tuple(sorted(scheduler.count_pending(WORKER).items(), key=lambda kv: kv[0])))
    return transcript


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graph=graphs())
def test_same_work_and_counts_as_luigi(steady_clock: None, graph: dict[str, Any]) -> None:
    luigis = luigi.scheduler.Scheduler(prune_on_get_work=True, record_task_history=False)
    karts = LocalScheduler(prune_on_get_work=True, record_task_history=False)
    _add_all(luigis, graph)
    _add_all(karts, graph)
    assert _drive(karts, graph) == _drive(luigis, graph)


def test_plain_graph_takes_the_fast_path(steady_clock: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """No priorities or resources: luigi's whole-graph get_work and count_pending are never called."""
    graph = {
        "deps": {"A": [], "B": ["A"], "C": ["A", "B"]},
        "add_order": ["C", "B", "A"],
        "priorities": {},
        "resources": False,
        "failures": set(),
        "parallel": 1,
    }
    scheduler = LocalScheduler(prune_on_get_work=True, record_task_history=False)

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("fell back to luigi's whole-graph pass")

    monkeypatch.setattr(luigi.scheduler.Scheduler, "get_work", forbidden)
    monkeypatch.setattr(luigi.scheduler.Scheduler, "count_pending", forbidden)
    _add_all(scheduler, graph)
    handed_out = [entry[0] for entry in _drive(scheduler, graph) if len(entry) == 1 + len(COUNTS)]
    assert handed_out == ["A", "B", "C", None]


def test_priorities_fall_back_to_luigi(steady_clock: None, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = luigi.scheduler.Scheduler.get_work

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["worker"])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(luigi.scheduler.Scheduler, "get_work", spy)
    scheduler = LocalScheduler(prune_on_get_work=True, record_task_history=False)
    scheduler.add_task(worker=WORKER, task_id="A", deps=[], family="A", priority=5)
    assert scheduler.get_work(worker=WORKER)["task_id"] == "A"
    assert calls == [WORKER]


def test_builds_use_it() -> None:
    assert isinstance(WorkerSchedulerFactory().create_local_scheduler(), LocalScheduler)
