"""Successes and failures of one run, kept for the end-of-run summary (`run(on_finish=...)`, Slack).

gokart registers its handlers and never removes them; here `remove_handlers()` undoes `set_handlers()`,
and `add_from_worker()` fills in tasks whose events fired in forked task processes (`workers > 1`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import luigi

from ._identity import unique_id_or_task_id
from ._luigi import internals


@dataclass(frozen=True)
class FailureEvent:
    task: str
    exception: str


def _label(task: luigi.Task) -> str:
    return f"{type(task).__name__}:[{unique_id_or_task_id(task)}]"


class EventAggregator:
    """Collects `'<ClassName>:[<uid>]'` per successful task and the exception text per failed one."""

    def __init__(self) -> None:
        self._success_events: list[str] = []
        self._failure_events: list[FailureEvent] = []
        self._installed = False

    # --- luigi event handlers ----------------------------------------------------------------

    def set_handlers(self) -> None:
        """Listen to SUCCESS and FAILURE of every luigi task run in this process."""
        if self._installed:
            return
        luigi.Task.event_handler(luigi.Event.SUCCESS)(self._success)
        luigi.Task.event_handler(luigi.Event.FAILURE)(self._failure)
        self._installed = True

    def remove_handlers(self) -> None:
        """Stop listening to luigi's success and failure events (at the end of a run)."""
        internals.remove_event_handler(luigi.Event.SUCCESS, self._success)
        internals.remove_event_handler(luigi.Event.FAILURE, self._failure)
        self._installed = False

    def _success(self, task: luigi.Task) -> None:
        self.add_success(task)

    def _failure(self, task: luigi.Task, exception: BaseException) -> None:
        self.add_failure(task, exception)

    # --- recording ---------------------------------------------------------------------------

    def add_success(self, task: luigi.Task) -> None:
        """Record a task that succeeded (once per task)."""
        label = _label(task)
        if label not in self._success_events:
            self._success_events.append(label)

    def add_failure(self, task: luigi.Task, exception: BaseException | str) -> None:
        """Record a task that failed and why (once per task)."""
        label = _label(task)
        if all(event.task != label for event in self._failure_events):
            self._failure_events.append(FailureEvent(task=label, exception=str(exception)))

    def add_from_worker(self, worker: Any) -> None:
        """Record what a finished luigi worker ran but no handler here saw (events fired in a child)."""
        history = internals.task_history(worker)
        if history is None:
            return
        sets = internals.partition_tasks(worker)
        exceptions: dict[str, BaseException] = {}
        channel = getattr(worker, "failures", None)
        if channel is not None:
            for failure in channel.drain():
                exceptions[failure.task_id] = failure.exception
        ordered = list(dict.fromkeys(task for task, _status, _runnable in history))
        for task in ordered:
            if task in sets["completed"]:
                self.add_success(task)
            elif task in sets["failed"]:
                self.add_failure(task, exceptions.get(task.task_id, "run() failed in a task process"))

    # --- gokart's read-out ---------------------------------------------------------------------

    @property
    def success_events(self) -> list[str]:
        """The succeeded tasks' labels, in event order (a copy)."""
        return list(self._success_events)

    @property
    def failure_events(self) -> list[FailureEvent]:
        """The failed tasks with their exceptions, in event order (a copy)."""
        return list(self._failure_events)

    def get_summary(self) -> str:
        """gokart's one-line count: `Success: n; Failure: m`."""
        return f"Success: {len(self._success_events)}; Failure: {len(self._failure_events)}"

    def get_event_list(self) -> str:
        """gokart's text of the failure and success events, for the Slack summary."""
        text = ""
        if self._failure_events:
            lines = [f"Task: {event.task}; Exception: {event.exception}" for event in self._failure_events]
            text += "---- Failure Tasks ----" + os.linesep + os.linesep.join(lines)
        if self._success_events:
            text += "---- Success Tasks ----" + os.linesep + os.linesep.join(self._success_events)
        if text == "":
            text = "Tasks were not executed."
        return text


__all__ = ["EventAggregator", "FailureEvent"]
