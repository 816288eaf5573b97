"""What happened in a run, and the text a notification carries (gokart 1.12.2's layout)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

TREE_INFO_PLACEHOLDER = "Please add SlackConfig.send_tree_info to include tree-info"


@dataclass(frozen=True)
class TaskFailure:
    task: str
    exception: str


@dataclass
class RunEvents:
    """Task outcomes of one run, labelled like gokart (`ClassName:[uid]`), in event order.

    Plain data, filled by whoever watches the scheduler (the gokart meta-package hooks luigi's
    events); kept apart from luigi so the report can be built and tested anywhere.
    """

    successes: list[str] = field(default_factory=list)
    failures: list[TaskFailure] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    #: what goes between the failure, missing and success blocks of `event_list()`: a line break here;
    #: gokart 1.12.2 puts nothing there (its blocks run together), which the gokart meta-package keeps
    block_separator: str = os.linesep

    def success(self, task: str) -> None:
        """Record a task that succeeded (labelled `ClassName:[unique id]`)."""
        self.successes.append(task)

    def failure(self, task: str, exception: BaseException | str) -> None:
        """Record a task that failed, with its exception (kept as text)."""
        self.failures.append(TaskFailure(task, str(exception)))

    def missing_task(self, task: str) -> None:
        """Record a task that was needed but missing (an external input absent)."""
        self.missing.append(task)

    @property
    def failed(self) -> bool:
        """Whether anything failed or was missing: what `only_on_failure` looks at."""
        return bool(self.failures or self.missing)

    def summary(self) -> str:
        """gokart's one-line count: `Success: n; Failure: m`."""
        return f"Success: {len(self.successes)}; Failure: {len(self.failures)}"

    def event_list(self) -> str:
        """gokart's event list; the blocks joined by `block_separator`."""
        nl = os.linesep
        blocks = []
        if self.failures:
            lines = [f"Task: {f.task}; Exception: {f.exception}" for f in self.failures]
            blocks.append("---- Failure Tasks ----" + nl + nl.join(lines))
        if self.missing:
            blocks.append("---- Missing Tasks ----" + nl + nl.join(self.missing))
        if self.successes:
            blocks.append("---- Success Tasks ----" + nl + nl.join(self.successes))
        return self.block_separator.join(blocks) if blocks else "Tasks were not executed."


@dataclass(frozen=True)
class RunReport:
    """A finished run's notification: a short comment and a longer text attachment."""

    task_name: str
    events: RunEvents
    tree_info: str = TREE_INFO_PLACEHOLDER

    @property
    def comment(self) -> str:
        """The message text: `Report of <task>` and the summary line."""
        return f"Report of {self.task_name}{os.linesep}{self.events.summary()}"

    @property
    def content(self) -> str:
        """The attachment: the event list, then the task tree."""
        nl = os.linesep
        return nl.join(
            ["===== Event List ====", self.events.event_list(), nl, "==== Tree Info ====", self.tree_info]
        )
