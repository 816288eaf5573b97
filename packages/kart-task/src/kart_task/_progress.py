"""A progress line for long builds: tasks done / total, running now, failed (tqdm on stderr).

The display watches the conversation between luigi's worker and its scheduler rather than luigi's task
events: that conversation happens in the building process whatever the worker count (events fire in
forked task processes) and against a local or a central scheduler alike. `ProgressFactory` wraps any
worker/scheduler factory and hands the worker an observing proxy of the scheduler.

Plugging it into a build::

    progress = Progress.create(enabled=None)         # None: on only when stderr is a terminal
    factory = progress.wrap(WorkerSchedulerFactory())
    with progress:
        luigi.build([...], worker_scheduler_factory=factory, ...)
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from dataclasses import dataclass, field
from types import TracebackType
from typing import IO, Any

DONE = "DONE"
FAILED = "FAILED"
PENDING = "PENDING"
RUNNING = "RUNNING"


def progress_wanted(setting: bool | None, stream: IO[str] | None = None) -> bool:
    """An explicit setting wins; otherwise show progress only in an interactive terminal."""
    if setting is not None:
        return setting
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except ValueError:  # a closed stream
        return False


def _fixed_size(stream: IO[str]) -> tuple[int, int] | None:
    """None when the terminal knows its size (tqdm follows resizes); else a fixed (columns, rows) for a
    terminal that reports 0 x 0 (a new pseudo-terminal: tqdm would hide the bar) or for no terminal."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return (100, 24)
    return None if size.columns > 0 and size.lines > 0 else (100, 24)


@dataclass
class ProgressState:
    """Counts derived from the statuses the worker reported; one entry per luigi task id."""

    statuses: dict[str, str] = field(default_factory=dict)

    def set(self, task_id: str, status: str) -> bool:
        """Record a status; False when nothing changed (so the display need not redraw)."""
        if status == PENDING and self.statuses.get(task_id) in (DONE, FAILED, RUNNING):
            return False  # a re-add while scheduling does not undo progress
        if self.statuses.get(task_id) == status:
            return False
        self.statuses[task_id] = status
        return True

    @property
    def total(self) -> int:
        return len(self.statuses)

    def count(self, status: str) -> int:
        return sum(1 for value in self.statuses.values() if value == status)

    def describe(self) -> str:
        return f"running {self.count(RUNNING)}, failed {self.count(FAILED)}"


class Progress:
    """Owns the bar. Updates are taken only in the process that made it (never from a forked child)."""

    def __init__(self, enabled: bool, stream: IO[str] | None = None) -> None:
        self.enabled = enabled
        self.state = ProgressState()
        self._stream = stream
        self._owner = multiprocessing.current_process().pid
        self._bar: Any = None

    @classmethod
    def create(cls, enabled: bool | None = None, stream: IO[str] | None = None) -> Progress:
        return cls(progress_wanted(enabled, stream), stream)

    def wrap(self, factory: Any) -> Any:
        """The factory to give luigi: `factory` itself when the display is off."""
        return ProgressFactory(factory, self) if self.enabled else factory

    def observe(self, task_id: str | None, status: str | None) -> None:
        if not self.enabled or task_id is None or status is None:
            return
        if multiprocessing.current_process().pid != self._owner:
            return
        if self.state.set(task_id, status):
            self._draw()

    def _draw(self) -> None:
        from tqdm import tqdm

        if self._bar is None:
            stream = self._stream if self._stream is not None else sys.stderr
            fixed = _fixed_size(stream)
            self._bar = tqdm(
                total=0,
                desc="tasks",
                unit="task",
                file=stream,
                dynamic_ncols=fixed is None,
                ncols=None if fixed is None else fixed[0],
                nrows=None if fixed is None else fixed[1],
                leave=True,
            )
        bar = self._bar
        bar.total = self.state.total
        bar.n = self.state.count(DONE) + self.state.count(FAILED)
        bar.set_postfix_str(self.state.describe(), refresh=False)
        bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class ObservedScheduler:
    """Forwards every call to the real scheduler and tells `Progress` about task statuses."""

    def __init__(self, scheduler: Any, progress: Progress) -> None:
        self._scheduler = scheduler
        self._progress = progress

    def add_task(self, *args: Any, **kwargs: Any) -> Any:
        result = self._scheduler.add_task(*args, **kwargs)
        self._progress.observe(kwargs.get("task_id"), kwargs.get("status"))
        return result

    def get_work(self, *args: Any, **kwargs: Any) -> Any:
        response = self._scheduler.get_work(*args, **kwargs)
        task_id = response.get("task_id") if isinstance(response, dict) else None
        self._progress.observe(task_id, RUNNING)
        for batch_id in (response.get("batch_task_ids") or []) if isinstance(response, dict) else []:
            self._progress.observe(batch_id, RUNNING)
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._scheduler, name)


class ProgressFactory:
    """A worker/scheduler factory whose schedulers report to a `Progress`."""

    def __init__(self, inner: Any, progress: Progress) -> None:
        self._inner = inner
        self.progress = progress

    def create_local_scheduler(self) -> Any:
        return ObservedScheduler(self._inner.create_local_scheduler(), self.progress)

    def create_remote_scheduler(self, url: str) -> Any:
        return ObservedScheduler(self._inner.create_remote_scheduler(url), self.progress)

    def create_worker(self, scheduler: Any, worker_processes: int, assistant: bool = False) -> Any:
        return self._inner.create_worker(scheduler, worker_processes, assistant)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


__all__ = ["ObservedScheduler", "Progress", "ProgressFactory", "ProgressState", "progress_wanted"]
