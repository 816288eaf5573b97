"""A luigi worker that skips tasks finished elsewhere and reports run failures to the process that built.

luigi's own worker does two things badly for cached pipelines on many workers: it runs a task that another
worker finished after scheduling, and with `workers > 1` the exception of a failed `run()` lives only in the
forked child. This worker checks completeness right before `run()` and sends each failure (the exception
object, keyed by the task's unique id) back to the parent, so `build()` can report and retry in every mode.
In the building process the exception object itself is kept; one from a forked task process arrives as an
instance of its own class whenever the building process holds that class (see `_exception_transport`).

As in gokart, a task whose `requires()` raises stops the scheduling: the exception `requires()` raised comes
out of `add()` (gokart's `str(task)` trips over it; kart's `str(task)` stays printable, so it is raised on
purpose), after luigi logged it as an unexpected scheduling error.

On a luigi the seam does not support (`support.specialised()` is False) the worker is luigi's own: the
`[gokart_worker]` options still configure it, and nothing of luigi's is overridden.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
from dataclasses import dataclass
from typing import Any, cast

import luigi
import luigi.worker

from kart_task._build_memo import Memo, remembered
from kart_task._errors import CompleteCheckError, CompleteValueError
from kart_task._exception_transport import Packed, pack, unpack
from kart_task._identity import unique_id_or_task_id
from kart_task._parameters import ExplicitBoolParameter
from kart_task._prefetch import prefetch
from kart_task._prefetch_answers import scheduling

from .result_queue import ResultQueue
from .support import specialised

logger = logging.getLogger("gokart.worker")
luigi_logger = logging.getLogger("luigi-interface")


class gokart_worker(luigi.worker.worker):
    """`[gokart_worker]`: luigi's `[worker]` options plus the completion check right before `run()`."""

    task_completion_check_at_run = ExplicitBoolParameter(
        default=True, description="Skip run() when the task became complete after it was scheduled."
    )
    completion_prefetch = ExplicitBoolParameter(
        default=True, description="Ask the store about every output at once before scheduling (_prefetch)."
    )


@dataclass(frozen=True)
class RunFailure:
    """One failed `run()` (or `complete()` while scheduling): which task (unique id and luigi task id)
    and what it raised."""

    unique_id: str
    task_id: str
    exception: BaseException


def _unique_id_of(task: luigi.Task) -> str:
    try:
        return unique_id_or_task_id(task)
    except Exception:  # the id itself may be what failed; the luigi id still names the task
        return str(task.task_id)


def _raise_if_requires_raises(task: luigi.Task) -> None:
    """Raise what computing the unique id raises (typically: what `requires()` raises).

    gokart 1.12 lets that exception out of the build (its `str(task)` computes the unique id while
    luigi reports the scheduling error); kart raises it on purpose, so callers catch the same class.
    """
    make_unique_id = getattr(task, "make_unique_id", None)
    if callable(make_unique_id):
        make_unique_id()


def _complete_exception(task: luigi.Task, trace: str) -> Exception:
    """What `complete()` raised, though luigi kept only its traceback text.

    A task's settings errors (a wrong `redis_timeout`, `verify_integrity`, an empty workspace) come from
    building its targets, which `output()` does again without I/O: that exception object is the one to
    report. Anything else is reported with luigi's traceback text.
    """
    try:
        task.output()
    except Exception as exc:
        return exc
    return CompleteCheckError(f"{task} could not be checked for completeness: complete() raised\n{trace}")


class _FailureChannel:
    """Carries RunFailure records from task processes (forked or not) to the worker's process."""

    def __init__(self) -> None:
        self._local: list[RunFailure] = []
        self._queue: multiprocessing.Queue[tuple[str, str, Packed]] = multiprocessing.Queue()
        self._owner = multiprocessing.current_process().pid

    def send(self, failure: RunFailure) -> None:
        if multiprocessing.current_process().pid == self._owner:
            self._local.append(failure)  # same process: the exception object itself, pickled or not
            return
        self._queue.put((failure.unique_id, failure.task_id, pack(failure.exception)))
        # Flush before the child reports its status, so the parent sees the failure no later than the result.
        self._queue.close()
        self._queue.join_thread()

    def drain(self) -> list[RunFailure]:
        while True:
            try:
                unique_id, task_id, packed = self._queue.get(timeout=0.05)
                self._local.append(RunFailure(unique_id, task_id, unpack(packed)))
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
        self._failures.send(RunFailure(_unique_id_of(self.task), self.task.task_id, ex))
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
        self._kart_specialised = specialised()
        self.failures = _FailureChannel()
        self._kart_memo = Memo()  # each task's requires(), asked once in this worker's build
        super().__init__(
            scheduler=scheduler,
            worker_id=worker_id,
            worker_processes=worker_processes,
            assistant=assistant,
            **_luigi_worker_options(self._kart_config),
        )
        if self._kart_specialised:
            self._config = self._kart_config
            self._task_result_queue = cast(Any, ResultQueue(self._task_result_queue))

    def add(self, task: luigi.Task, multiprocess: bool = False, processes: int = 0) -> bool:
        """luigi's scheduling pass, its complete() calls answered from one batched prefetch: positives
        also seed the completion cache (final: outputs are written once), negatives last the pass only."""
        if not self._kart_specialised:
            return bool(super().add(task, multiprocess, processes))
        with remembered(self._kart_memo):
            if not self._kart_config.completion_prefetch:
                return bool(super().add(task, multiprocess, processes))
            return self._add_prefetched(task, multiprocess, processes)

    def _add_prefetched(self, task: luigi.Task, multiprocess: bool, processes: int) -> bool:
        answers = prefetch(task)
        complete = dict.fromkeys(answers.complete_ids(), True)
        if complete:
            cache: Any = self._task_completion_cache  # luigi's cache, when [worker] cache_task_completion
            if cache is None:
                cache = {}
                self._task_completion_cache = cast(Any, cache)
            cache.update(complete)
        with scheduling(answers):
            return bool(super().add(task, multiprocess, processes))

    def run(self) -> bool:
        """luigi's run, with the requirements remembered while scheduling (`input()`, new deps)."""
        if not self._kart_specialised:
            return bool(super().run())
        with remembered(self._kart_memo):
            return bool(super().run())

    def _add(self, task: luigi.Task, is_complete: Any) -> Any:
        if self._kart_specialised and isinstance(is_complete, luigi.worker.TracebackWrapper):
            _raise_if_requires_raises(task)  # complete() failed: because requires() raises?
            # luigi only logs it (a warning) and reports "failed scheduling": build() reports it too.
            failure = _complete_exception(task, is_complete.trace)
            self.failures.send(RunFailure(_unique_id_of(task), task.task_id, failure))
        return super()._add(task, is_complete)

    def _log_complete_error(self, task: luigi.Task, tb: str) -> None:
        if not self._kart_specialised:
            super()._log_complete_error(task, tb)
            return
        # An error, not luigi's warning: the build fails because of it, so build()'s default level shows it.
        luigi_logger.error(
            "Will not run %s or any dependencies due to error in complete() method:\n%s", task, tb
        )

    def _log_dependency_error(self, task: luigi.Task, tb: str) -> None:
        if self._kart_specialised:
            _raise_if_requires_raises(task)
        super()._log_dependency_error(task, tb)

    def _check_complete_value(self, is_complete: Any) -> None:
        if not self._kart_specialised:
            super()._check_complete_value(is_complete)
            return
        if isinstance(is_complete, luigi.worker.TracebackWrapper):
            raise luigi.worker.AsyncCompletionException(is_complete.trace)
        if not isinstance(is_complete, bool):
            raise CompleteValueError(f"Return value of Task.complete() must be boolean (was {is_complete!r})")

    def _create_task_process(self, task: luigi.Task) -> Any:
        if not self._kart_specialised:
            return super()._create_task_process(task)
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
