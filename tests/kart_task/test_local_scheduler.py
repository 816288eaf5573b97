"""kart's in-process scheduler answers exactly as luigi's does, on random graphs driven identically."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

import luigi.scheduler
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from luigi.scheduler import DONE, FAILED, PENDING

from kart_task._build import WorkerSchedulerFactory
from kart_task._luigi import scheduler as kart_scheduler
from kart_task._luigi.scheduler import LocalScheduler

WORKER = "worker-1"
COUNTS = ("n_pending_tasks", "n_unique_pending", "n_pending_last_scheduled", "worker_state", "running_tasks")


Jump = Callable[[float], None]


@pytest.fixture
def steady_clock(monkeypatch: pytest.MonkeyPatch) -> Jump:
    """Distinct, slowly advancing task times: ranks never tie and no retry delay or timeout expires,
    until a test moves the clock on with the function returned."""
    ticks = itertools.count()
    offset = [0.0]
    monkeypatch.setattr(time, "time", lambda: 1_700_000_000 + next(ticks) * 1e-4 + offset[0])

    def jump(seconds: float) -> None:
        offset[0] += seconds

    return jump


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
        # mid-build events at a given step: a task reported pending again (say its output vanished),
        # and a new task joining with dependencies on existing ones
        "readd": draw(st.none() | st.tuples(st.integers(0, 40), st.sampled_from(sorted(deps)))),
        "late": draw(
            st.none() | st.tuples(st.integers(0, 40), st.lists(st.sampled_from(sorted(deps)), max_size=3))
        ),
        # the clock moves past luigi's retry delay: failed tasks become pending again in a prune
        "jump": draw(st.none() | st.integers(0, 60)),
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


def _drive(
    scheduler: luigi.scheduler.Scheduler, graph: dict[str, Any], jump: Jump | None = None
) -> list[tuple[Any, ...]]:
    """A worker with `parallel` slots: ask for work until nothing is handed out, finishing the oldest."""
    transcript: list[tuple[Any, ...]] = []
    running: list[str] = []
    for step in range(4 * len(graph["deps"]) + 12):
        if graph["readd"] and graph["readd"][0] == step:
            task_id = graph["readd"][1]
            scheduler.add_task(worker=WORKER, task_id=task_id, status=PENDING, runnable=True, family=task_id)
        if jump is not None and graph["jump"] == step:
            jump(1000.0)  # past the default retry delay (900 s)
            scheduler.ping(worker=WORKER)  # the worker stays alive across the jump
        if graph["late"] and graph["late"][0] == step:
            deps = sorted(set(graph["late"][1]))
            scheduler.add_task(worker=WORKER, task_id="Late", deps=deps, runnable=True, family="Late")
        reply = scheduler.get_work(worker=WORKER, host="localhost", current_tasks=list(running))
        transcript.append((reply["task_id"], *(reply[key] for key in COUNTS)))
        if reply["task_id"] is not None:
            running.append(reply["task_id"])
        if reply["task_id"] is None or len(running) >= graph["parallel"]:
            if not running:
                if jump is not None and graph["jump"] is not None and step < graph["jump"]:
                    continue  # idle until the clock jumps: retried failures may bring new work
                break
            done = running.pop(0)
            status = FAILED if done in graph["failures"] else DONE
            scheduler.add_task(worker=WORKER, task_id=done, status=status, runnable=True, family=done)
        transcript.append(tuple(sorted(scheduler.count_pending(WORKER).items(), key=lambda kv: kv[0])))
    return transcript


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graph=graphs())
def test_same_work_and_counts_as_luigi(steady_clock: Jump, graph: dict[str, Any]) -> None:
    luigis = luigi.scheduler.Scheduler(prune_on_get_work=True, record_task_history=False)
    karts = LocalScheduler(prune_on_get_work=True, record_task_history=False)
    _add_all(luigis, graph)
    _add_all(karts, graph)
    assert _drive(karts, graph) == _drive(luigis, graph)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graph=graphs())
def test_same_answers_when_prunes_change_the_graph(
    steady_clock: Jump, monkeypatch: pytest.MonkeyPatch, graph: dict[str, Any]
) -> None:
    """Pruning every time on both sides, a clock jump retries failed tasks (statuses changed outside
    add_task); kart must notice them as luigi does."""
    monkeypatch.setattr(kart_scheduler, "PRUNE_INTERVAL", 0.0)
    monkeypatch.setattr(kart_scheduler, "PRUNE_COST_FACTOR", 0.0)
    transcripts = []
    for scheduler in (
        luigi.scheduler.Scheduler(prune_on_get_work=True, record_task_history=False),
        LocalScheduler(prune_on_get_work=True, record_task_history=False),
    ):
        jumped = [0.0]

        def jump(seconds: float, jumped: list[float] = jumped) -> None:
            jumped[0] += seconds
            steady_clock(seconds)

        _add_all(scheduler, graph)
        transcripts.append(_drive(scheduler, graph, jump))
        steady_clock(-jumped[0])  # the next side starts from the same clock
    assert transcripts[1] == transcripts[0]


def test_plain_graph_takes_the_fast_path(steady_clock: Jump, monkeypatch: pytest.MonkeyPatch) -> None:
    """No priorities or resources: luigi's whole-graph get_work and count_pending are never called."""
    graph = {
        "deps": {"A": [], "B": ["A"], "C": ["A", "B"]},
        "add_order": ["C", "B", "A"],
        "priorities": {},
        "resources": False,
        "failures": set(),
        "parallel": 1,
        "readd": None,
        "late": None,
        "jump": None,
    }
    scheduler = LocalScheduler(prune_on_get_work=True, record_task_history=False)

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("fell back to luigi's whole-graph pass")

    monkeypatch.setattr(luigi.scheduler.Scheduler, "get_work", forbidden)
    monkeypatch.setattr(luigi.scheduler.Scheduler, "count_pending", forbidden)
    _add_all(scheduler, graph)
    handed_out = [entry[0] for entry in _drive(scheduler, graph) if len(entry) == 1 + len(COUNTS)]
    assert handed_out == ["A", "B", "C", None]


def test_priorities_fall_back_to_luigi(steady_clock: Jump, monkeypatch: pytest.MonkeyPatch) -> None:
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


def test_prunes_wait_in_proportion_to_their_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    """A prune visits every task: the next one waits PRUNE_COST_FACTOR times as long as it took (at least
    PRUNE_INTERVAL), so on a big graph prunes stay a bounded share of the build."""
    clock = [0.0]

    def monotonic() -> float:
        clock[0] += 0.5  # every reading half a second later: a prune "takes" 0.5 s
        return clock[0]

    pruned: list[float] = []
    original = luigi.scheduler.Scheduler.prune

    def spy(self: Any) -> None:
        pruned.append(clock[0])
        original(self)

    monkeypatch.setattr(luigi.scheduler.Scheduler, "prune", spy)
    monkeypatch.setattr(time, "monotonic", monotonic)
    scheduler = LocalScheduler(prune_on_get_work=True, record_task_history=False)
    for _ in range(60):
        scheduler.prune()
    # each prune took 0.5 s (from one reading to the next): the next one is due 20 x 0.5 = 10 s after it ended
    assert pruned == [0.5, 11.0, 21.5]


def test_no_pass_over_the_tasks_while_no_worker_timed_out(
    steady_clock: Jump, monkeypatch: pytest.MonkeyPatch
) -> None:
    removals: list[set[str]] = []
    original = luigi.scheduler.SimpleTaskState._remove_workers_from_tasks

    def spy(self: Any, workers: Any, remove_stakeholders: bool = True) -> None:
        removals.append(set(workers))
        original(self, workers, remove_stakeholders)

    monkeypatch.setattr(luigi.scheduler.SimpleTaskState, "_remove_workers_from_tasks", spy)
    monkeypatch.setattr(kart_scheduler, "PRUNE_INTERVAL", 0.0)
    monkeypatch.setattr(kart_scheduler, "PRUNE_COST_FACTOR", 0.0)
    scheduler = LocalScheduler(prune_on_get_work=True, record_task_history=False)
    scheduler.add_task(worker=WORKER, task_id="A", deps=[], family="A")
    scheduler.prune()
    assert removals == []
    steady_clock(scheduler._config.worker_disconnect_delay + 1)  # the worker went silent: luigi's removal
    scheduler.prune()
    assert removals == [{WORKER}]
    assert WORKER not in scheduler._state.get_task("A").workers
