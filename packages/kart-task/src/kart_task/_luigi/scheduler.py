"""luigi's scheduler for in-process builds, without its whole-graph passes on every request.

luigi's local scheduler answers each `get_work` by pruning the whole graph, sorting every pending task and
walking every pending task's upstream: O(tasks) work per task run, so O(tasks²) per build (about half of
a 1000-task build's time). This subclass gives the same answers for the case in-process builds have (one
worker, no resources, no batching, no assistant) with cheap steps, and defers to luigi otherwise.
`local_scheduler()` makes one, or luigi's own Scheduler on a luigi the seam does not support.
"""

from __future__ import annotations

import heapq
import time
from typing import Any

import luigi.scheduler
from luigi.task_status import DISABLED, DONE, FAILED, PENDING, RUNNING

from .support import specialised

#: least seconds between two prunes; luigi's own work in a prune (retry delays, dead workers) is timed in
#: minutes, so a second's granularity changes nothing a build can observe
PRUNE_INTERVAL = 1.0
#: a prune visits every task, so on a big graph the wait after one is this many times what it took: prunes
#: then cost at most about 1/PRUNE_COST_FACTOR of a build whatever the graph's size (a fixed interval
#: makes their share grow with the graph: O(tasks) work every second of an O(tasks) build)
PRUNE_COST_FACTOR = 20.0


class _ObservedTaskState(luigi.scheduler.SimpleTaskState):
    """luigi's task state, noting which tasks changed status (every status change goes through set_status)."""

    _kart_touched: list[str]

    def set_status(self, task: Any, new_status: str, config: Any = None) -> None:
        super().set_status(task, new_status, config)
        self._kart_touched.append(task.id)


class LocalScheduler(luigi.scheduler.Scheduler):
    """`luigi.scheduler.Scheduler` with throttled pruning, a cached rank order, O(1) pending counts and
    the next task found among the tasks that changed since the last request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._next_prune = float("-inf")
        self._rank_order: list[Any] | None = None
        self._simple = True  # no task has asked for resources or a non-default priority
        self._pruned_tasks = False  # a prune removed tasks (workers may then list tasks the state lost)
        # Candidates for the next task: positions in _rank_order. Every schedulable task is in the heap
        # (entries are checked when taken, so stale ones are harmless); a task can only become
        # schedulable by a status change (noted by the state) or by add_task (noted there).
        self._candidates: list[int] = []
        self._position: dict[str, int] = {}
        self._dependents: dict[str, set[str]] = {}
        self._candidates_for: str | None = None  # the worker the candidates were collected for
        self._state.__class__ = _ObservedTaskState
        self._touched: list[str] = []  # ids whose status changed, appended to by the state
        self._state._kart_touched = self._touched  # type: ignore[attr-defined]

    # --- state changes that affect the cached order --------------------------------------------------

    def prune(self) -> None:
        now = time.monotonic()
        if now < self._next_prune:
            return
        known = len(self._state._tasks)
        super().prune()
        if len(self._state._tasks) != known:
            self._pruned_tasks = True
            self._rank_order = None
        done = time.monotonic()
        self._next_prune = done + max(PRUNE_INTERVAL, PRUNE_COST_FACTOR * (done - now))

    def _prune_workers(self) -> None:
        """luigi's, without its pass over every task when no worker timed out (the usual case)."""
        config = self._config
        if any(worker.prune(config) for worker in self._state.get_active_workers()):
            super()._prune_workers()

    def add_task(self, *args: Any, **kwargs: Any) -> Any:
        known = len(self._state._tasks)
        if kwargs.get("resources") or kwargs.get("priority") or args:
            self._simple = False
        result = super().add_task(*args, **kwargs)
        if len(self._state._tasks) != known:
            self._rank_order = None
        if self._rank_order is None:
            self._touched.clear()  # the next request rebuilds everything anyway
        else:
            task_id = kwargs.get("task_id", args[0] if args else None)
            task = self._state._tasks.get(task_id) if isinstance(task_id, str) else None
            if task is None:
                self._rank_order = None  # not a task we can follow: start over at the next request
            else:  # its deps or workers may have changed: take another look at it
                for dep in task.deps:
                    self._dependents.setdefault(dep, set()).add(task.id)
                self._touched.append(task.id)
        return result

    # --- the fast answers ----------------------------------------------------------------------------

    def _fast_path(self, worker_id: str, assistant: bool) -> bool:
        return (
            self._simple
            and not assistant
            and not self._paused
            and not self._state._task_batchers.get(worker_id)
        )

    def get_work(
        self,
        host: str | None = None,
        assistant: bool = False,
        current_tasks: list[str] | None = None,
        worker: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        if worker is None or not self._fast_path(worker, assistant):
            return dict(
                super().get_work(
                    host=host, assistant=assistant, current_tasks=current_tasks, worker=worker, **kwargs
                )
            )
        if self._config.prune_on_get_work:
            self.prune()
        worker_id = worker
        worker_state = self._update_worker(worker_id, worker_reference={"host": host}, get_work=True)
        if not worker_state.enabled:
            return {
                "n_pending_tasks": 0,
                "running_tasks": [],
                "task_id": None,
                "n_unique_pending": 0,
                "worker_state": worker_state.state,
            }
        best_task = None
        if current_tasks is not None:
            # a task this worker runs but no longer reports (a lost reply) is handed out again, as in luigi
            reported = set(current_tasks)
            for task in sorted(self._state.get_active_tasks_by_status(RUNNING), key=self._rank):
                if task.worker_running == worker_id and task.id not in reported:
                    best_task = task
            self._reset_orphaned_batch_running_tasks(worker_id)
        if best_task is None:
            best_task = self._first_schedulable(worker_id)
        reply: dict[str, Any] = self.count_pending(worker_id)
        if best_task is None:
            reply["task_id"] = None
            return reply
        self.update_metrics_task_started(best_task)
        self._state.set_status(best_task, RUNNING, self._config)
        best_task.worker_running = worker_id
        best_task.resources_running = best_task.resources.copy()
        best_task.time_running = time.time()
        self._update_task_history(best_task, RUNNING, host=host)
        reply["task_id"] = best_task.id
        reply["task_family"] = best_task.family
        reply["task_module"] = getattr(best_task, "module", None)
        reply["task_params"] = best_task.params
        return reply

    def _ready_for(self, task: Any, worker_id: str) -> bool:
        if task.status != PENDING or worker_id not in task.workers:
            return False
        get_task = self._state._tasks.get
        for dep in task.deps:
            dep_task = get_task(dep)
            if dep_task is None or dep_task.status != DONE:
                return False
        return True

    def _rebuild_order(self, worker_id: str) -> list[Any]:
        order = self._rank_order = sorted(self._state.get_active_tasks(), key=self._rank, reverse=True)
        self._position = {task.id: index for index, task in enumerate(order)}
        self._dependents = {}
        for task in order:
            for dep in task.deps:
                self._dependents.setdefault(dep, set()).add(task.id)
        self._candidates_for = worker_id
        self._candidates = [index for index, task in enumerate(order) if self._ready_for(task, worker_id)]
        self._touched.clear()
        return order

    def _first_schedulable(self, worker_id: str) -> Any:
        """The highest-ranked pending task of this worker whose dependencies are all done (luigi's
        answer), found from the tasks whose state changed since the last call instead of a full scan."""
        order = self._rank_order
        touched = self._touched
        if order is None or worker_id != self._candidates_for or len(touched) > len(order):
            order = self._rebuild_order(worker_id)
        else:
            candidates, position, tasks = self._candidates, self._position, self._state._tasks
            for task_id in touched:
                task = tasks.get(task_id)
                if task is None or task_id not in position:
                    continue
                heapq.heappush(candidates, position[task_id])
                if task.status == DONE:
                    for dependent in self._dependents.get(task_id, ()):
                        if dependent in position:
                            heapq.heappush(candidates, position[dependent])
            touched.clear()
        candidates = self._candidates
        while candidates:
            task = order[candidates[0]]
            if self._ready_for(task, worker_id):
                return task  # left in the heap: once it runs, the next call drops it
            heapq.heappop(candidates)
        return None

    def count_pending(self, worker: str) -> dict[str, Any]:
        state = self._state
        workers = state._active_workers
        this = workers.get(worker)
        statuses = state._status_tasks
        if (
            this is None
            or self._pruned_tasks
            or len(workers) != 1
            or statuses[DISABLED]
            or len(this.tasks) != len(state._tasks)
        ):
            return dict(super().count_pending(worker))
        # The only worker owns every task and nothing is disabled (so no upstream is): every pending or
        # failed task counts, is unique to this worker and was last scheduled by it.
        running_tasks = []
        for task in this.get_tasks(state, RUNNING):
            other_worker = state.get_worker(task.worker_running)
            if other_worker is not None:
                running_tasks.append({"task_id": task.id, "worker": str(other_worker), **other_worker.info})
        pending = len(statuses[PENDING]) + len(statuses[FAILED])
        return {
            "n_pending_tasks": pending,
            "n_unique_pending": pending,
            "n_pending_last_scheduled": pending,
            "worker_state": this.state,
            "running_tasks": running_tasks,
        }


def local_scheduler(**kwargs: Any) -> luigi.scheduler.Scheduler:
    """The scheduler for in-process builds: `LocalScheduler`, or luigi's own on an unsupported luigi."""
    if specialised():
        return LocalScheduler(**kwargs)
    return luigi.scheduler.Scheduler(**kwargs)
