"""gokart's older task-info entry points (`gokart.info`): `make_tree_info` and the `tree_info` config."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import luigi

import kart_storage

from ._task import TaskOnKart
from ._tree_info import make_task_info_as_tree_str


def make_tree_info(
    task: luigi.Task,
    indent: str = "",
    last: bool = True,
    details: bool = False,
    abbr: bool = True,
    visited_tasks: set[str] | None = None,
    ignore_task_names: Iterable[str] | None = None,
) -> str:
    """Same text as `make_task_info_as_tree_str`; `indent`, `last` and `visited_tasks` are accepted
    for old callers and ignored, as in gokart 1.12."""
    del indent, last, visited_tasks
    return make_task_info_as_tree_str(task, details=details, abbr=abbr, ignore_task_names=ignore_task_names)


class tree_info(TaskOnKart[Any]):  # the command line flags are --tree-info-*
    """Holds `--tree-info-mode` (`simple` or `all`) and `--tree-info-output-path`; never run."""

    mode = luigi.Parameter(default="", description="simple: tree text; all: with details.")
    output_path = luigi.Parameter(default="tree.txt", description="Relative to the workspace.")

    def output(self) -> kart_storage.TargetOnKart:
        """The file the tree text is written to, in the workspace (`tree.txt` by default)."""
        return self.make_target(str(self.output_path), use_unique_id=False)
