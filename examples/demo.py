"""The README's demo: build the example pipeline on the local file system, print result and tree.

Run it twice: the second run finds every output cached and runs nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import luigi

sys.path.insert(0, str(Path(__file__).parent))

import kart_task
from pipeline import pipeline

WORKSPACE = str(Path(__file__).resolve().parent.parent / ".kart-demo" / "resources") + "/"


def show_tree(task: kart_task.TaskOnKart[object], indent: str = "") -> None:
    status = "COMPLETE" if task.complete() else "PENDING"
    print(f"{indent}└─ {type(task).__name__}[{task.make_unique_id()}] ({status})")
    for dependency in kart_task.flatten(task.requires()):
        show_tree(dependency, indent + "   ")


def main() -> None:
    task = pipeline(rows=200, workspace=WORKSPACE)
    print(f"workspace: {WORKSPACE}")
    print("before the build:")
    show_tree(task)
    ok = luigi.build([task], local_scheduler=True, log_level="WARNING")
    if not ok:
        raise SystemExit("the demo pipeline failed")
    result = task.output().load()
    print("\nresult:", {key: round(value, 4) for key, value in result.items()})
    luigi.task_register.Register.clear_instance_cache()
    print("\nafter the build:")
    show_tree(pipeline(rows=200, workspace=WORKSPACE))


if __name__ == "__main__":
    main()
