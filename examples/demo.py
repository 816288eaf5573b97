"""The README's demo: build the example pipeline on the local file system, print result and tree.

Run it twice: the second run finds every output cached and runs nothing.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import luigi

sys.path.insert(0, str(Path(__file__).parent))

import kart_task
from pipeline import pipeline

WORKSPACE = str(Path(__file__).resolve().parent.parent / ".kart-demo" / "resources") + "/"


def show_tree(task: kart_task.TaskOnKart[object]) -> None:
    print(kart_task.make_task_info_as_tree_str(task))


def main() -> None:
    task = pipeline(rows=200, workspace=WORKSPACE)
    print(f"workspace: {WORKSPACE}")
    print("before the build:")
    show_tree(task)
    result = kart_task.build(task, reset_register=False, log_level=logging.WARNING)
    print("\nresult:", {key: round(value, 4) for key, value in result.items()})
    luigi.task_register.Register.clear_instance_cache()
    print("\nafter the build:")
    show_tree(pipeline(rows=200, workspace=WORKSPACE))
    print("\nwhy would each task run now?")
    print(kart_task.format_explanation(kart_task.explain(pipeline(rows=200, workspace=WORKSPACE))))


if __name__ == "__main__":
    main()
