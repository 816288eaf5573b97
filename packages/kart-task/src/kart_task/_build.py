"""`build()`: run one task in-process (or against luigid) and hand back its output.

Differences from gokart 1.12 that keep its API: failures and run-lock collisions are collected in the
building process (so `raised_exceptions` and the retry also work with `workers > 1`), the worker/scheduler
factory is an argument, no event handler is left behind, and `LoggerConfig` restores the `logging.disable`
level it found. As in gokart, `raised_exceptions` holds the very exception objects `run()` raised (a stand-in
only for an unpicklable one from a forked task process), and an exception raised by `requires()` comes out
of `build()` itself, after luigi logged it.
"""

from __future__ import annotations

import enum
import io
import logging
import random
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, Protocol, TypeVar, overload

import luigi
import luigi.execution_summary
import luigi.rpc
import luigi.scheduler

from kart_lock import TaskLockException

from ._errors import BuildArgumentError, KartTaskError, UnsupportedOutputError
from ._luigi import internals
from ._luigi.scheduler import local_scheduler
from ._luigi.worker import RunFailure, Worker
from ._task import TaskOnKart

T = TypeVar("T")

logger = logging.getLogger("gokart.build")

_FAILED_STATUSES = (
    luigi.execution_summary.LuigiStatusCode.FAILED,
    luigi.execution_summary.LuigiStatusCode.FAILED_AND_SCHEDULING_FAILED,
    luigi.execution_summary.LuigiStatusCode.SCHEDULING_FAILED,
)


class GokartBuildError(KartTaskError):
    """The build failed; `raised_exceptions` maps each failed task's unique id to what its run() raised."""

    def __init__(self, message: str, raised_exceptions: dict[str, list[Exception]]) -> None:
        super().__init__(message)
        self.raised_exceptions = raised_exceptions

    def __reduce__(self) -> tuple[type[GokartBuildError], tuple[str, dict[str, list[Exception]]]]:
        # Exception pickles only `args`; the mapping is a required argument, so it must travel too.
        return type(self), (str(self), self.raised_exceptions)


class HasLockedTaskException(KartTaskError):
    """A task's run lock was held by another worker in every attempt."""


class TaskLockExceptionRaisedFlag:
    """A mutable flag a build's lock-retry loop sets when a run lock was held elsewhere (gokart's name)."""

    def __init__(self) -> None:
        self.flag: bool = False


class WorkerProtocol(Protocol):
    """What `build` needs of a worker: add tasks, run them, be a context manager."""

    def add(self, task: luigi.Task) -> bool:
        """Schedule `task` and what it needs; False when scheduling failed."""
        ...

    def run(self) -> bool:
        """Run the scheduled tasks; True when all succeeded."""
        ...

    def __enter__(self) -> Any: ...

    def __exit__(self, type: Any, value: Any, traceback: Any) -> Literal[False]: ...


class WorkerSchedulerFactory:
    """What luigi.build uses to make its scheduler and worker; kart's worker keeps failures."""

    def create_local_scheduler(self) -> luigi.scheduler.Scheduler:
        """kart's in-process scheduler (luigi's answers, without its whole-graph passes)."""
        return local_scheduler(prune_on_get_work=True, record_task_history=False)

    def create_remote_scheduler(self, url: str) -> luigi.rpc.RemoteScheduler:
        """A client of luigid at `url`, for builds shared by many workers."""
        return luigi.rpc.RemoteScheduler(url)

    def create_worker(
        self, scheduler: luigi.scheduler.Scheduler, worker_processes: int, assistant: bool = False
    ) -> WorkerProtocol:
        """kart's worker: luigi's, plus the check right before `run()` and kept failures."""
        return Worker(scheduler=scheduler, worker_processes=worker_processes, assistant=assistant)


class _RecordingFactory:
    """Wraps any factory to remember the workers it made, so failures can be read back after the run."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.workers: list[Any] = []

    def create_local_scheduler(self) -> Any:
        return self._inner.create_local_scheduler()

    def create_remote_scheduler(self, url: str) -> Any:
        return self._inner.create_remote_scheduler(url)

    def create_worker(self, scheduler: Any, worker_processes: int, assistant: bool = False) -> Any:
        worker = self._inner.create_worker(scheduler, worker_processes, assistant)
        self.workers.append(worker)
        return worker

    def failures(self) -> list[RunFailure]:
        collected: list[RunFailure] = []
        for worker in self.workers:
            channel = getattr(worker, "failures", None)
            if channel is not None:
                collected.extend(channel.drain())
        return collected


class TaskDumpMode(enum.Enum):
    """What `build` writes about the task graph after a run: the tree, the table, or nothing."""

    TREE = "tree"
    TABLE = "table"
    NONE = "none"


class TaskDumpOutputType(enum.Enum):
    """Where `build` puts that: printed, dumped to a file, or nowhere."""

    PRINT = "print"
    DUMP = "dump"
    NONE = "none"


@dataclass
class TaskDumpConfig:
    mode: TaskDumpMode = TaskDumpMode.NONE
    output_type: TaskDumpOutputType = TaskDumpOutputType.NONE


def process_task_info(task: TaskOnKart[Any], config: TaskDumpConfig = TaskDumpConfig()) -> None:  # noqa: B008
    """Print or dump the task tree before a build. Dumps are named after the task's own unique id."""
    from . import _tree_info

    key = (config.mode, config.output_type)
    if key == (TaskDumpMode.NONE, TaskDumpOutputType.NONE):
        return
    name = type(task).__name__
    if key == (TaskDumpMode.TREE, TaskDumpOutputType.PRINT):
        logger.info(_tree_info.make_task_info_as_tree_str(task))
    elif key == (TaskDumpMode.TABLE, TaskDumpOutputType.PRINT):
        logger.info(_tree_info.make_task_info_as_table(task).to_csv(index=False, sep="\t"))
    elif key == (TaskDumpMode.TREE, TaskDumpOutputType.DUMP):
        task.make_target(f"log/task_info/{name}.txt").dump(_tree_info.make_task_info_as_tree_str(task))
    elif key == (TaskDumpMode.TABLE, TaskDumpOutputType.DUMP):
        task.make_target(f"log/task_info/{name}.pkl").dump(_tree_info.make_task_info_as_table(task))
    else:
        raise UnsupportedOutputError(f"Unsupported TaskDumpConfig: {config!r}")


class LoggerConfig:
    """Silence logging below `level` during a build, and put back exactly what was there before."""

    def __init__(self, level: int) -> None:
        self.logger = logging.getLogger("gokart.build")
        self.level = level
        self.default_level = self.logger.level
        self._previous_disable = logging.root.manager.disable

    def __enter__(self) -> LoggerConfig:
        self._previous_disable = logging.root.manager.disable
        logging.disable(self.level - 10)
        self.logger.setLevel(self.level)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        logging.disable(self._previous_disable)
        self.logger.setLevel(self.default_level)


def _load_output(target: Any) -> Any:
    import kart_storage

    return target.load() if isinstance(target, kart_storage.TargetOnKart) else _SKIP


_SKIP = object()


def _get_output(task: TaskOnKart[T]) -> T:
    """The loaded output of a finished task, as `build()` returns it (lists and dicts of targets kept)."""
    import kart_storage

    output = task.output()
    if isinstance(output, list | tuple):
        return [v for v in (_load_output(t) for t in output) if v is not _SKIP]  # type: ignore[return-value]
    if isinstance(output, dict):
        loaded = {k: _load_output(t) for k, t in output.items()}
        return {k: v for k, v in loaded.items() if v is not _SKIP}  # type: ignore[return-value]
    if isinstance(output, kart_storage.TargetOnKart):
        return output.load()  # type: ignore[no-any-return]
    raise UnsupportedOutputError(f"output type is not supported: {type(output)}")


def _kept_modules(keep: Iterable[str]) -> set[str]:
    kept = set(keep)
    if "gokart" in kept:
        # gokart's classes live in the kart libraries: keep those packages along with it.
        kept |= {"kart_task", "kart_storage", "kart_lock", "kart_notify", "kart_hash"}
    return kept


def _reset_register(keep: set[str] | None = None) -> None:
    """Forget task classes from user modules (notebooks redefine them), keeping gokart's and luigi's."""
    from ._pandas_type import PandasTypeConfig

    kept = _kept_modules(keep if keep is not None else {"gokart", "luigi"})
    internals.keep_registered(
        lambda cls: (
            cls.__module__.split(".")[0] in kept
            or (isinstance(cls, type) and issubclass(cls, PandasTypeConfig))
        )
    )


def _full_jitter_delays(max_wait_seconds: float) -> Iterable[float]:
    attempt = 0
    while True:
        yield random.uniform(0, min(2.0**attempt, max_wait_seconds))
        attempt += 1


def _retry_on_lock_collision(attempt: Callable[[], T], max_tries: int, max_wait_seconds: float) -> T:
    delays = iter(_full_jitter_delays(max_wait_seconds))
    for number in range(1, max_tries + 1):
        try:
            return attempt()
        except HasLockedTaskException:
            if number == max_tries:
                raise
            delay = next(delays)
            logger.info("Run lock held elsewhere; building again in %.1f s (try %d).", delay, number + 1)
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


_FORBIDDEN_ENV_PARAMS = ("detailed_summary",)
_REMOTE_POLL_SECONDS = 2.0


@overload
def build(
    task: TaskOnKart[T],
    return_value: Literal[True] = True,
    reset_register: bool = True,
    log_level: int = logging.ERROR,
    task_lock_exception_max_tries: int = 10,
    task_lock_exception_max_wait_seconds: int = 600,
    task_dump_config: TaskDumpConfig = ...,
    worker_scheduler_factory: Any = None,
    progress: bool | None = None,
    **env_params: Any,
) -> T: ...


@overload
def build(
    task: TaskOnKart[T],
    return_value: Literal[False],
    reset_register: bool = True,
    log_level: int = logging.ERROR,
    task_lock_exception_max_tries: int = 10,
    task_lock_exception_max_wait_seconds: int = 600,
    task_dump_config: TaskDumpConfig = ...,
    worker_scheduler_factory: Any = None,
    progress: bool | None = None,
    **env_params: Any,
) -> None: ...


def build(
    task: TaskOnKart[T],
    return_value: bool = True,
    reset_register: bool = True,
    log_level: int = logging.ERROR,
    task_lock_exception_max_tries: int = 10,
    task_lock_exception_max_wait_seconds: int = 600,
    task_dump_config: TaskDumpConfig = TaskDumpConfig(),  # noqa: B008
    worker_scheduler_factory: Any = None,
    progress: bool | None = None,
    **env_params: Any,
) -> T | None:
    """Build `task` and its dependencies; return its loaded output (gokart.build, see the package README).

    `env_params` go to luigi as `[core]` settings (`workers=4`, ...). `local_scheduler=False` with
    `scheduler_host`/`scheduler_port` (or `scheduler_url`) builds through a central luigid. `progress`
    shows tasks done/total, running and failed (None: only when stderr is a terminal).
    """
    from ._progress import Progress

    for name in _FORBIDDEN_ENV_PARAMS:
        if name in env_params:
            raise BuildArgumentError(f"build() got an unexpected keyword argument {name!r}")
    if reset_register:
        _reset_register()
    local_scheduler = env_params.pop("local_scheduler", True)
    raised_exceptions: dict[str, list[Exception]] = {}
    display = Progress.create(progress)

    def attempt() -> T | None:
        result = build_once()
        while not local_scheduler and not task.complete():
            # luigid gave the root (or a task under it) to another worker and our worker left with
            # nothing to do. Build again: tasks done meanwhile are skipped, and if that worker died
            # luigid hands its task back to us.
            logger.info("%s is being built by another worker; waiting for it.", task)
            time.sleep(_REMOTE_POLL_SECONDS)
            result = build_once()
        if result.status in _FAILED_STATUSES:
            raise GokartBuildError(result.summary_text, raised_exceptions=raised_exceptions)
        return _get_output(task) if return_value else None

    def build_once() -> Any:
        factory = _RecordingFactory(display.wrap(worker_scheduler_factory or WorkerSchedulerFactory()))
        # Looked up at call time: test suites patch `luigi.build`. What requires() raises comes out here.
        result = luigi.build(
            [task],
            worker_scheduler_factory=factory,
            local_scheduler=local_scheduler,
            detailed_summary=True,
            log_level=logging.getLevelName(log_level),
            **env_params,
        )
        lock_collision = False
        for failure in factory.failures():
            if isinstance(failure.exception, TaskLockException):
                lock_collision = True
            elif isinstance(failure.exception, Exception):
                raised_exceptions.setdefault(failure.unique_id, []).append(failure.exception)
        if lock_collision:
            raise HasLockedTaskException()
        if result.status in _FAILED_STATUSES:
            raise GokartBuildError(result.summary_text, raised_exceptions=raised_exceptions)
        return result

    with LoggerConfig(level=log_level), display:
        _log_task_info(task, task_dump_config)
        return _retry_on_lock_collision(
            attempt, task_lock_exception_max_tries, task_lock_exception_max_wait_seconds
        )


def _log_task_info(task: TaskOnKart[Any], config: TaskDumpConfig) -> None:
    handler = logging.StreamHandler(sys.stderr if sys.stderr is not None else io.StringIO())
    logger.addHandler(handler)
    try:
        process_task_info(task, config)
    finally:
        logger.removeHandler(handler)


__all__ = [
    "GokartBuildError",
    "HasLockedTaskException",
    "LoggerConfig",
    "TaskDumpConfig",
    "TaskDumpMode",
    "TaskDumpOutputType",
    "TaskLockExceptionRaisedFlag",
    "WorkerProtocol",
    "WorkerSchedulerFactory",
    "build",
    "process_task_info",
]
