"""A luigi worker that skips tasks finished elsewhere and reports run failures to the process that built.

luigi's own worker does two things badly for cached pipelines on many workers: it runs a task that another
worker finished after scheduling, and with `workers > 1` the exception of a failed `run()` lives only in the
forked child. This worker checks completeness right before `run()` and sends each failure (the exception
object, keyed by the task's unique id) back to the parent, so `build()` can report and retry in every mode.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
from dataclasses import dataclass
from typing import Any

import luigi
import luigi.worker

from ._parameters import ExplicitBoolParameter

logger = logging.getLogger("gokart.worker")


class gokart_worker(luigi.worker.worker):
    """`[gokart_worker]`: luigi's `[worker]` options plus the completion check right before `run()`."""

    task_completion_check_at_run = ExplicitBoolParameter(
        default=True, description="Skip run() when the task became complete after it was scheduled."
    )


@dataclass(frozen=True)
class RunFailure:
    """One failed `run()`: which task (unique id and luigi task id) and what it raised."""

    unique_id: str
    task_id: str
    exception: BaseException


def _unique_id_of(task: luigi.Task) -> str:
    make_unique_id = getattr(task, "make_unique_id", None)
    try:
        return str(make_unique_id()) if callable(make_unique_id) else str(task.task_id)
    except Exception:  # the id itself may be what failed; the luigi id still names the task
        return str(task.task_id)


def _transportable(exception: BaseException) -> BaseException:
    """The exception itself when it pickles (it crosses a process boundary), else a faithful stand-in."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exception))
    except Exception:
        return RuntimeError(f"{type(exception).__name__}: {exception}")
    return exception


class _FailureChannel:
    """Carries RunFailure records from task processes (forked or not) to the worker's process."""

    def __init__(self) -> None:
        self._local: list[RunFailure] = []
        self._queue: multiprocessing.Queue[RunFailure] = multiprocessing.Queue()
        self._owner = multiprocessing.current_process().pid

    def send(self, failure: RunFailure) -> None:
        if multiprocessing.current_process().pid == self._owner:
            self._local.append(failure)
            return
        self._queue.put(failure)
        # Flush before the child reports its status, so the parent sees the failure no later than the result.
        self._queue.close()
        self._queue.join_thread()

    def drain(self) -> list[RunFailure]:
        while True:
            try:
                self._local.append(self._queue.get(timeout=0.05))
            except queue.Empty:
                break
        drained, self._local = self._local, []
        return drained


class TaskProcess(luigi.worker.ContextManagedTaskProcess):
    """luigi's task process with the pre-run completion check and failure reporting."""

    def __init__(
        self, *args: Any, completion_check_at_run: bool, failures: _FailureChannel, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._completion_check_at_run = completion_check_at_run
        self._failures = failures

    def _run_get_new_deps(self) -> Any:
        if self._completion_check_at_run and self.check_complete(self.task) is True:
            logger.warning("%s is skipped because the task is already completed.", self.task)
            return None
        return super()._run_get_new_deps()

    def _handle_run_exception(self, ex: BaseException) -> Any:
        self._failures.send(RunFailure(_unique_id_of(self.task), self.task.task_id, _transportable(ex)))
        return super()._handle_run_exception(ex)


def _luigi_worker_options(config: gokart_worker) -> dict[str, Any]:
    return {name: getattr(config, name) for name, _ in luigi.worker.worker.get_params()}


class Worker(luigi.worker.Worker):
    """gokart's worker: `[gokart_worker]` configuration, completion check at run, failures kept."""

    def __init__(
        self,
        scheduler: Any = None,
        worker_id: str | None = None,
        worker_processes: int = 1,
        assistant: bool = False,
        config: gokart_worker | None = None,
    ) -> None:
        self._kart_config = config if config is not None else gokart_worker()
        self.failures = _FailureChannel()
        super().__init__(
            scheduler=scheduler,
            worker_id=worker_id,
            worker_processes=worker_processes,
            assistant=assistant,
            **_luigi_worker_options(self._kart_config),
        )
        self._config = self._kart_config

    def _check_complete_value(self, is_complete: Any) -> None:
        if isinstance(is_complete, luigi.worker.TracebackWrapper):
            raise luigi.worker.AsyncCompletionException(is_complete.trace)
        if not isinstance(is_complete, bool):
            raise Exception(f"Return value of Task.complete() must be boolean (was {is_complete!r})")

    def _create_task_process(self, task: luigi.Task) -> TaskProcess:
        message_queue: Any = multiprocessing.Queue() if task.accepts_messages else None
        reporter = luigi.worker.TaskStatusReporter(self._scheduler, task.task_id, self._id, message_queue)
        return TaskProcess(
            self._config.task_process_context,
            task,
            self._id,
            self._task_result_queue,
            reporter,
            use_multiprocessing=self._config.force_multiprocessing or self.worker_processes > 1,
            worker_timeout=self._config.timeout,
            check_unfulfilled_deps=self._config.check_unfulfilled_deps,
            check_complete_on_run=self._config.check_complete_on_run,
            task_completion_cache=self._task_completion_cache,
            completion_check_at_run=self._kart_config.task_completion_check_at_run,
            failures=self.failures,
        )
