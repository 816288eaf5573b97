"""Task information on a 5,001-task graph (50 layers of 100 tasks, each needing two tasks of the
layer below, plus a root needing the top layer): 9,900 edges, every task below the top layer shared.
The lower half of the layers has outputs on local disk.

Measured (2 shared cores, local disk, min/median of 3 rounds): tree text 1.18/1.56 s, table
1.68/1.76 s, DOT 0.87/1.00 s, Mermaid 0.83/0.87 s, explain 0.70/0.72 s. Most of it is making three
targets per task (`output()` and the two log files) and luigi's `get_params` in `get_info`; the
single `exists_many` call is a small part on local disk. `per_task_complete` (0.15 s) is the bare
serial existence loop over the same 5,001 tasks, without anything task information reports; it is
there to show that on local disk batching is not what matters; on S3/GCS one batched call replaces
5,001+ round trips (see bench_storage_exists.py). Upstream re-asks `complete()` once per edge (9,900).
A second run while other test suites shared the machine: tree text 2.72 s, table 3.53 s, DOT 2.37 s,
Mermaid 2.46 s, explain 2.46 s, per-task baseline 0.73 s (min of 3): compare within one run.

Task construction and unique ids are computed once in the fixture: they are the same for every
consumer and belong to the task layer, not to task information.

Run: `python3 -m hatch run pytest benchmarks/bench_tree_info.py -p no:randomly
--benchmark-columns=min,median,mean,rounds`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "kart_task" / "fixture_modules"))

from treeproj.tasks import Layer, LayeredRoot

from kart_task._explain import explain
from kart_task._tree_graph import make_task_info_as_dot, make_task_info_as_mermaid
from kart_task._tree_info import make_task_info_as_table, make_task_info_as_tree_str
from kart_task._tree_walk import walk

LEVELS = 50
WIDTH = 100


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LayeredRoot]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("tree_info"))  # the default ./resources/ workspace
        task = LayeredRoot(levels=LEVELS, width=WIDTH)
        task.make_unique_id()
        for level in range(LEVELS // 2):
            for index in range(WIDTH):
                Layer(level=level, index=index, width=WIDTH).output().dump(level, lock_at_dump=False)
        yield task


def _once(benchmark: Any, function: Any, *args: Any) -> Any:
    return benchmark.pedantic(function, args=args, rounds=3, iterations=1, warmup_rounds=0)


def test_tree_str(benchmark: Any, root: LayeredRoot) -> None:
    text = _once(benchmark, make_task_info_as_tree_str, root)
    assert text.count("\n") == 1 + 9900 + 4900


def test_table(benchmark: Any, root: LayeredRoot) -> None:
    assert len(_once(benchmark, make_task_info_as_table, root)) == LEVELS * WIDTH + 1


def test_dot(benchmark: Any, root: LayeredRoot) -> None:
    assert _once(benchmark, make_task_info_as_dot, root).count(" -> ") == 9900


def test_mermaid(benchmark: Any, root: LayeredRoot) -> None:
    assert _once(benchmark, make_task_info_as_mermaid, root).count(" --> ") == 9900


def test_explain(benchmark: Any, root: LayeredRoot) -> None:
    records = _once(benchmark, explain, root)
    assert len({id(record.task) for record in records}) == (LEVELS // 2) * WIDTH + 1


def test_per_task_complete(benchmark: Any, root: LayeredRoot) -> None:
    tasks = [node.task for node in walk(root).nodes.values()]
    done = _once(benchmark, lambda: [task.complete() for task in tasks])
    assert sum(done) == (LEVELS // 2) * WIDTH
