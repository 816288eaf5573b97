# ruff: noqa: E501  (the embedded pipeline scripts are kept readable as whole lines)
"""Caches are shared with upstream gokart 1.12.2 in both directions.

The same pipeline module is imported once with `gokart` (in a venv holding upstream 1.12.2) and
once with `kart_task` (here). Each side builds into one workspace; the other side must find every
task complete, load the outputs, and run nothing (runs leave marker files we count).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from _upstream import last_json, run_here, run_upstream

PIPELINE = """
import os
import luigi
import pandas as pd
import {lib} as gokart

MARKERS = os.environ["KART_MARKERS"]

def mark(task):
    os.makedirs(MARKERS, exist_ok=True)
    open(os.path.join(MARKERS, f"{{type(task).__name__}}-{{task.make_unique_id()}}-{lib}"), "w").close()

class Raw(gokart.TaskOnKart):
    rows = luigi.IntParameter(default=5)
    def output(self):
        return self.make_target("data/raw.csv")
    def run(self):
        mark(self)
        self.dump(pd.DataFrame({{"x": list(range(self.rows)), "label": ["é", "a", "b", "c", "d"][: self.rows]}}))

class Stats(gokart.TaskOnKart):
    raw = gokart.TaskInstanceParameter()
    note = luigi.Parameter(default="stats")
    def run(self):
        mark(self)
        frame = self.load("raw")
        self.dump({{"sum": int(frame["x"].sum()), "labels": frame["label"].tolist()}})

class Report(gokart.TaskOnKart):
    parts = gokart.ListTaskInstanceParameter()
    def output(self):
        return {{"json": self.make_target("report/summary.json"), "pkl": self.make_target("report/all.pkl")}}
    def run(self):
        mark(self)
        stats = self.load("parts")
        self.dump(pd.DataFrame({{"n": [len(stats)]}}), "json")
        self.dump(stats, "pkl")

def root():
    raw = Raw(rows=5)
    return Report(parts=[Stats(raw=raw), Stats(raw=raw, note="again")])
"""

DRIVER = """
import json, sys
sys.path.insert(0, sys.argv[1])
import luigi
import pipeline
root = pipeline.root()
before = [root.complete()] + [t.complete() for t in root.parts]
ok = luigi.build([root], local_scheduler=True, log_level="ERROR")
outputs = root.output()
print(json.dumps({"ok": ok, "complete_before": before, "ids": [root.make_unique_id()] + [t.make_unique_id() for t in root.parts],
    "paths": sorted(t.path() for t in outputs.values()), "json": outputs["json"].load().to_dict(orient="list"), "pkl": outputs["pkl"].load()}))
"""


def _write_modules(tmp_path: Path) -> Path:
    """One module named `pipeline` per side: the module path is part of default output paths."""
    modules = tmp_path / "modules"
    for side, lib in (("gokart", "gokart"), ("kart", "kart_task")):
        (modules / side).mkdir(parents=True)
        (modules / side / "pipeline.py").write_text(PIPELINE.format(lib=lib))
    return modules


def _run_kart(modules: Path, cwd: Path, env: dict[str, str]) -> dict[str, object]:
    result: dict[str, object] = last_json(run_here(DRIVER, str(modules / "kart"), cwd=cwd, env=env))
    return result


def _run_gokart(modules: Path, cwd: Path, env: dict[str, str]) -> dict[str, object]:
    result: dict[str, object] = last_json(run_upstream(DRIVER, str(modules / "gokart"), cwd=cwd, env=env))
    return result


@pytest.mark.upstream
@pytest.mark.parametrize("first", ["gokart", "kart"])
def test_caches_written_by_one_side_are_complete_for_the_other(tmp_path: Path, first: str) -> None:
    modules = _write_modules(tmp_path)
    markers = tmp_path / "markers"
    env = {**os.environ, "KART_MARKERS": str(markers)}
    runners = {"gokart": _run_gokart, "kart": _run_kart}
    second = "kart" if first == "gokart" else "gokart"

    written = runners[first](modules, tmp_path, env)
    assert written["ok"] is True
    assert written["complete_before"] == [False, False, False]
    ran_first = sorted(p.name for p in markers.iterdir())
    assert len(ran_first) == 4  # Raw once, two Stats, Report

    reused = runners[second](modules, tmp_path, env)
    assert reused["ok"] is True
    assert reused["complete_before"] == [True, True, True], "the other side's caches were not found"
    assert sorted(p.name for p in markers.iterdir()) == ran_first, "something ran again"
    assert reused["ids"] == written["ids"]
    assert reused["paths"] == written["paths"]
    assert reused["json"] == written["json"] == {"n": [2]}
    assert reused["pkl"] == written["pkl"]
