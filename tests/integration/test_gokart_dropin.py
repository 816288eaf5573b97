"""The drop-in promise: one gokart 1.12.2 script, unchanged, runs on upstream and on kart's `gokart` with the
same ids, paths and outputs, and each side finds the other's caches complete and runs nothing.

The script (quick start, tutorial and task-information examples in the docs' shape) is written once and
executed by upstream gokart 1.12.2 in its own venv and by this checkout's `gokart` meta-package.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from _upstream import last_json, run_here, run_upstream

PIPELINE = """
import os

import luigi
import pandas as pd

import gokart

MARKERS = os.environ["KART_MARKERS"]


def mark(task):
    os.makedirs(MARKERS, exist_ok=True)
    name = f"{type(task).__name__}-{task.make_unique_id()}"
    with open(os.path.join(MARKERS, name), "a") as stream:
        stream.write("ran\\n")


class Example(gokart.TaskOnKart):
    def run(self):
        mark(self)
        self.dump("Hello, world!")


class Sample(gokart.TaskOnKart):
    def run(self):
        mark(self)
        self.dump("sample output")


class StringToSplit(gokart.TaskOnKart):
    def run(self):
        mark(self)
        self.dump("a b c d")


class SplitString(gokart.TaskOnKart):
    source = gokart.TaskInstanceParameter()

    def run(self):
        mark(self)
        self.dump(self.load("source").split(" "))


class TaskA(gokart.TaskOnKart):
    param = luigi.Parameter()

    def run(self):
        mark(self)
        self.dump(self.param)


class TaskB(gokart.TaskOnKart):
    task = gokart.TaskInstanceParameter()

    def run(self):
        mark(self)
        self.dump(self.load("task") + "-b")


class TaskC(gokart.TaskOnKart):
    task = gokart.TaskInstanceParameter()

    def run(self):
        mark(self)
        self.dump(self.load("task") + "-c")


class TaskD(gokart.TaskOnKart[pd.DataFrame]):
    tasks = gokart.ListTaskInstanceParameter()
    rows = luigi.IntParameter(default=3)

    def output(self):
        return {"frame": self.make_target("d/frame.csv"), "parts": self.make_target("d/parts.pkl")}

    def run(self):
        mark(self)
        parts = self.load("tasks")
        self.dump(pd.DataFrame({"part": parts, "n": list(range(len(parts)))}), "frame")
        self.dump(parts, "parts")


def roots():
    a_foo, a_bar = TaskA(param="foo"), TaskA(param="bar")
    return {
        "quick_start": Example(),
        "tutorial": SplitString(source=StringToSplit()),
        "task_info": TaskD(tasks=[TaskC(task=a_foo), TaskB(task=a_bar), TaskB(task=a_foo)]),
        "sample": Sample(),
    }
"""

DRIVER = """
import json, sys
sys.path.insert(0, sys.argv[1])
import gokart
import pipeline

def plain(value):
    if hasattr(value, "to_dict"):
        return value.to_dict(orient="list")
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value

def paths(output):
    if isinstance(output, dict):
        return sorted(t.path() for t in output.values())
    return [output.path()]

report = {}
for name, root in pipeline.roots().items():
    before = root.complete()
    value = gokart.build(root, reset_register=False)
    report[name] = {"complete_before": before, "id": root.make_unique_id(), "paths": paths(root.output()),
                    "value": plain(value)}
print(json.dumps(report))
"""


def _write_pipeline(tmp_path: Path) -> Path:
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "pipeline.py").write_text(PIPELINE)
    return modules


def _run_kart(modules: Path, cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = last_json(run_here(DRIVER, str(modules), cwd=cwd, env=env))
    return result


def _run_upstream(modules: Path, cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = last_json(run_upstream(DRIVER, str(modules), cwd=cwd, env=env))
    return result


RUNNERS = {"upstream": _run_upstream, "kart": _run_kart}


def _markers(directory: Path) -> dict[str, int]:
    return (
        {p.name: len(p.read_text().splitlines()) for p in directory.iterdir()} if directory.exists() else {}
    )


@pytest.mark.upstream
def test_same_script_gives_same_ids_paths_and_outputs(tmp_path: Path) -> None:
    modules = _write_pipeline(tmp_path)
    results = {}
    for side, runner in RUNNERS.items():
        workdir = tmp_path / side
        workdir.mkdir()
        env = {**os.environ, "KART_MARKERS": str(workdir / "markers")}
        results[side] = runner(modules, workdir, env)
        assert all(not r["complete_before"] for r in results[side].values())
        assert sum(_markers(workdir / "markers").values()) == 10  # Example, Sample, 2 tutorial, 6 task-info
    assert results["kart"] == results["upstream"]
    assert results["kart"]["quick_start"]["value"] == "Hello, world!"
    assert results["kart"]["task_info"]["value"]["parts"] == ["foo-c", "bar-b", "foo-b"]


@pytest.mark.upstream
@pytest.mark.parametrize("first", ["upstream", "kart"])
def test_each_side_reuses_the_other_sides_caches(tmp_path: Path, first: str) -> None:
    modules = _write_pipeline(tmp_path)
    markers = tmp_path / "markers"
    env = {**os.environ, "KART_MARKERS": str(markers)}
    second = "kart" if first == "upstream" else "upstream"

    written = RUNNERS[first](modules, tmp_path, env)
    ran = _markers(markers)
    assert sum(ran.values()) == 10

    reused = RUNNERS[second](modules, tmp_path, env)
    assert all(r["complete_before"] for r in reused.values()), "the other side's caches were not found"
    assert _markers(markers) == ran, "something ran again"
    for name in written:
        assert reused[name]["value"] == written[name]["value"]
        assert reused[name]["paths"] == written[name]["paths"]
