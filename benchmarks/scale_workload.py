"""The workload of bench_scale.py: one script, run by kart's venv and by upstream gokart's.

`python scale_workload.py CASE N WORKSPACE` builds a layered N-task DAG (0.4 N sources, 0.4 N tasks
needing two sources, 0.2 N - 1 tasks needing two of those, one root needing the latter) and does CASE:
- construct: make the tasks and the root's unique id (which computes every task's id);
- run: the same, then `gokart.build` (workers=1, local scheduler; everything runs on an empty workspace);
- cached: the same on a workspace a `run` filled (everything is complete);
- tree: the same, then `gokart.make_task_info_as_tree_str` of the root.
Progress lines go to stderr with the seconds since start (so a run stopped by a timeout says how far it
got); with KART_BENCH_POLL=SECONDS set, a thread also reports how many outputs exist every SECONDS.
The last stdout line is JSON: wall seconds (total and per phase), CPU seconds (imports left out), peak
RSS and the result (the root's value, or the tree's line count).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from typing import Any

import luigi

import gokart

STARTED = time.perf_counter()
CPU_AT_START = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])  # user + system seconds of the imports


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:8.1f} s] {message}", file=sys.stderr, flush=True)


class Node(gokart.TaskOnKart):  # type: ignore[type-arg]
    layer = luigi.IntParameter()
    index = luigi.IntParameter()
    inputs: Any = gokart.ListTaskInstanceParameter(default=[])

    def run(self) -> None:
        values = self.load("inputs") if self.inputs else [self.index]
        self.dump(sum(values) + 1)


def dag(n: int, workspace: str) -> Any:
    """Four layers, shallow on purpose: gokart's parameter text nests every input's text."""

    def node(layer: int, index: int, inputs: list[Any]) -> Any:
        options: dict[str, Any] = {"layer": layer, "index": index, "workspace_directory": workspace}
        return Node(**options, inputs=inputs) if inputs else Node(**options)

    width = 2 * n // 5
    sources = [node(0, i, []) for i in range(width)]
    pairs = [node(1, i, [sources[i], sources[(i + 1) % width]]) for i in range(width)]
    quads = [node(2, i, [pairs[2 * i], pairs[2 * i + 1]]) for i in range(n - 2 * width - 1)]
    return node(3, 0, quads)


def count_outputs(workspace: str) -> int:
    count = 0
    for folder, _, files in os.walk(workspace):
        if os.sep + "log" not in folder:
            count += sum(name.startswith("Node_") for name in files)
    return count


def poll(workspace: str, every: float) -> None:
    while True:
        time.sleep(every)
        progress(f"{count_outputs(workspace)} outputs exist")


def main() -> None:
    case, n, workspace = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    every = float(os.environ.get("KART_BENCH_POLL", "0"))
    if every > 0:
        threading.Thread(target=poll, args=(workspace, every), daemon=True).start()
    phases: dict[str, float] = {}
    mark = time.perf_counter()
    root = dag(n, workspace)
    phases["construct"] = time.perf_counter() - mark
    progress(f"constructed {n} tasks")
    mark = time.perf_counter()
    result: Any = root.make_unique_id()
    phases["ids"] = time.perf_counter() - mark
    progress("unique ids made")
    mark = time.perf_counter()
    if case in ("run", "cached"):
        result = gokart.build(root, reset_register=False)
        progress("built")
    elif case == "tree":
        result = gokart.make_task_info_as_tree_str(root).count("\n")
        progress("tree info made")
    elif case != "construct":
        raise SystemExit(f"unknown case {case}")
    phases["work"] = time.perf_counter() - mark
    usage = resource.getrusage(resource.RUSAGE_SELF)
    seconds = time.perf_counter() - STARTED
    cpu = usage.ru_utime + usage.ru_stime - CPU_AT_START
    report = {"seconds": seconds, "cpu": cpu, "phases": phases, "peak_mb": usage.ru_maxrss / 1024}
    print(json.dumps({**report, "result": str(result)}))


if __name__ == "__main__":
    main()
