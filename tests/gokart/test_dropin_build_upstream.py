# ruff: noqa: E501  (the embedded scripts are kept readable as whole lines)
"""gokart.build, gokart.run's --tree-info-mode and gokart.tree.task_info next to upstream gokart 1.12.2 (issue #14).

Every comparison runs the same script under upstream gokart 1.12.2 and under this `gokart` package.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from _upstream import last_json, run_here, run_upstream, upstream_python

# --- gokart.build -----------------------------------------------------------------------------------

BUILD_NAMES = """
import json, sys
import gokart
module = sys.modules["gokart.build"]
names = ["build", "GokartBuildError", "HasLockedTaskException", "LoggerConfig", "TaskDumpConfig", "TaskDumpMode",
         "TaskDumpOutputType", "process_task_info", "WorkerSchedulerFactory", "WorkerProtocol",
         "TaskLockExceptionRaisedFlag", "logger", "_get_output", "_reset_register", "TaskLockException"]
def describe(value):
    if isinstance(value, type):
        return ["class", value.__module__ + "." + value.__qualname__]
    return [type(value).__name__, getattr(value, "name", None)]
import gokart.conflict_prevention_lock.task_lock as task_lock
print(json.dumps({"names": {name: describe(getattr(module, name)) for name in names},
                  "lock_exception_is_task_locks": module.TaskLockException is task_lock.TaskLockException}))
"""


@pytest.mark.upstream
def test_gokart_build_names_import_as_upstream() -> None:
    upstream = last_json(run_upstream(BUILD_NAMES))
    kart = last_json(run_here(BUILD_NAMES))
    assert upstream["names"]["TaskLockException"] == [
        "class",
        "gokart.conflict_prevention_lock.task_lock.TaskLockException",
    ]
    assert kart == upstream


BUILD_ERRORS = """
import json, os, sys, tempfile
import gokart

workers, where = int(sys.argv[1]), sys.argv[2]

def make():
    class LocalError(Exception):
        pass
    return LocalError

LocalError = make()

class Child(gokart.TaskOnKart):
    def run(self):
        if where == "run_child":
            raise LocalError("child boom")
        self.dump(1)

class Root(gokart.TaskOnKart):
    def requires(self):
        if where == "requires":
            raise LocalError("requires boom")
        return Child()
    def run(self):
        if where == "run":
            raise LocalError("run boom")
        self.dump(2)

def name(value):
    return type(value).__module__ + "." + type(value).__qualname__

workspace = tempfile.mkdtemp()
os.chdir(workspace)
answer = {}
try:
    gokart.build(Root(workspace_directory=workspace), workers=workers)
except Exception as exc:
    answer = {"type": name(exc), "str": str(exc)}
    if hasattr(exc, "raised_exceptions"):
        answer["raised"] = {key: [[name(e), str(e), type(e) is LocalError] for e in errors] for key, errors in exc.raised_exceptions.items()}
print(json.dumps(answer))
"""


@pytest.mark.upstream
@pytest.mark.parametrize("where", ["run", "run_child", "requires"])
def test_build_errors_through_the_meta_package_match_upstream(where: str) -> None:
    upstream = last_json(run_upstream(BUILD_ERRORS, "1", where))
    kart = last_json(run_here(BUILD_ERRORS, "1", where))
    if where == "requires":
        assert upstream == {"type": "__main__.make.<locals>.LocalError", "str": "requires boom"}
    else:
        assert upstream["type"] == "gokart.build.GokartBuildError"
        [[errors]] = upstream["raised"].values()
        assert errors[0] == "__main__.make.<locals>.LocalError"
    assert kart == upstream
    # gokart 1.12.2 loses run() errors with two workers; kart gives its one-worker answer there too
    assert last_json(run_here(BUILD_ERRORS, "2", where)) == upstream


# --- gokart.tree.task_info ----------------------------------------------------------------------------

SIGNATURES = """
import inspect, json
import gokart.tree.task_info as task_info
def parameters(function):
    return [[p.name, p.kind.name, repr(p.default)] for p in inspect.signature(function).parameters.values()]
names = ["make_task_info_as_tree_str", "make_task_info_as_table", "dump_task_info_table", "dump_task_info_tree", "make_task_info_tree"]
print(json.dumps({name: parameters(getattr(task_info, name)) for name in names}))
"""


@pytest.mark.upstream
def test_task_info_functions_take_upstreams_parameters() -> None:
    upstream = last_json(run_upstream(SIGNATURES))
    assert [p[0] for p in upstream["dump_task_info_tree"]] == [
        "task",
        "task_info_dump_path",
        "ignore_task_names",
        "use_unique_id",
    ]
    assert last_json(run_here(SIGNATURES)) == upstream


TREE_PIPELINE = """
import luigi
import gokart

class Leaf(gokart.TaskOnKart):
    n = luigi.IntParameter(default=1)
    def run(self):
        self.dump(self.n)

class Top(gokart.TaskOnKart):
    def requires(self):
        return {"a": Leaf(n=1), "b": [Leaf(n=2), Leaf(n=1)]}
    def run(self):
        self.dump(2)
"""

DUMP_TREE = (
    TREE_PIPELINE
    + """
import json
from gokart.tree.task_info import dump_task_info_tree
Leaf(n=2).output().dump(2)  # one complete task in the tree
dump_task_info_tree(Top(), task_info_dump_path="info/tree.pkl", ignore_task_names=None, use_unique_id=True)
print(json.dumps("dumped"))
"""
)

LOAD_TREE = """
import glob, json, pickle, pickletools
import gokart.tree.task_info_formatter as formatter
[path] = glob.glob("info/*.pkl")
with open(path, "rb") as stream:
    raw = stream.read()
globals_named = sorted({str(arg) for op, arg, _ in pickletools.genops(raw) if op.name == "SHORT_BINUNICODE" and str(arg).startswith(("gokart", "kart"))})
tree = pickle.loads(raw)
seen = {}
def describe(info):
    if id(info) in seen:
        return seen[id(info)]
    described = {"class_is_gokarts": type(info) is formatter.TaskInfo, "fields": {k: repr(v) for k, v in info.task_info_dict().items()},
                 "children": [describe(child) for child in info.children_task_infos]}
    seen[id(info)] = described
    return described
print(json.dumps({"path": path, "globals": globals_named, "tree": describe(tree),
                  "text": formatter.make_tree_info(tree, "", True, True, True, set())}))
"""


def _dump_then_load(tmp_path: Path, dumper: Any, loader: Any) -> Any:
    workspace = tmp_path / f"{dumper.__name__}-{loader.__name__}"
    workspace.mkdir()
    dumper(DUMP_TREE, cwd=workspace)
    return last_json(loader(LOAD_TREE, cwd=workspace))


@pytest.mark.upstream
def test_tree_info_pickles_load_on_the_other_side(tmp_path: Path) -> None:
    reference = _dump_then_load(tmp_path, run_upstream, run_upstream)
    assert reference["globals"] == ["gokart.tree.task_info_formatter"]
    assert "COMPLETE" in reference["text"]
    assert "PENDING" in reference["text"]
    written_here = _dump_then_load(tmp_path, run_here, run_upstream)
    written_upstream = _dump_then_load(tmp_path, run_upstream, run_here)
    assert written_here == reference
    assert written_upstream == reference


# --- gokart.run --tree-info-mode -----------------------------------------------------------------------

CLI = """
import sys
import gokart

class Fine(gokart.TaskOnKart):
    def run(self):
        self.dump(1)

gokart.run()
"""

RUN_CALL = """
import json
import gokart

class Fine(gokart.TaskOnKart):
    def run(self):
        self.dump(1)

try:
    gokart.run(["Fine", "--tree-info-mode=bogus", "--local-scheduler"])
except BaseException as exc:
    print(json.dumps([type(exc).__name__, str(exc), isinstance(exc, ValueError)]))
"""

UPSTREAM_MESSAGE = '--tree-info-mode must be "simple" or "all", but "bogus" is passed.'


def _cli(python: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, "-c", CLI, "Fine", "--tree-info-mode=bogus", "--local-scheduler"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )


@pytest.mark.upstream
def test_bad_tree_info_mode_prints_upstreams_text_and_exit_code(tmp_path: Path) -> None:
    upstream = _cli(str(upstream_python()), tmp_path)
    kart = _cli(sys.executable, tmp_path)
    assert upstream.returncode == 1
    assert upstream.stderr.strip().splitlines()[-1] == f"ValueError: {UPSTREAM_MESSAGE}"
    assert kart.returncode == upstream.returncode
    # kart's error is upstream's ValueError in kart-task's error family (kart_task.OptionError)
    assert f"kart_task._errors.OptionError: {UPSTREAM_MESSAGE}" in kart.stderr.splitlines()
    assert not (tmp_path / "resources").exists()


@pytest.mark.upstream
def test_bad_tree_info_mode_raises_upstreams_error_from_run(tmp_path: Path) -> None:
    upstream = last_json(run_upstream(RUN_CALL, cwd=tmp_path))
    kart = last_json(run_here(RUN_CALL, cwd=tmp_path))
    assert upstream == ["ValueError", UPSTREAM_MESSAGE, True]
    assert kart[0] == "OptionError"  # kart_task.OptionError: a ValueError, as upstream's
    assert kart[2] is True
    assert kart[1].splitlines()[0] == upstream[1]


CLI_BROKEN_REQUIRES = """
import gokart

class BadRequires(gokart.TaskOnKart):
    def requires(self):
        raise ValueError("requires exploded")
    def run(self):
        self.dump(1)

gokart.run()
"""


@pytest.mark.upstream
def test_requires_raising_on_the_command_line_matches_upstream(tmp_path: Path) -> None:
    """The requires() exception leaves luigi's scheduling: luigi's unhandled-exception code 4, logged."""
    results = {}
    for side, python in (("upstream", str(upstream_python())), ("kart", sys.executable)):
        results[side] = subprocess.run(
            [python, "-c", CLI_BROKEN_REQUIRES, "BadRequires", "--local-scheduler"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )
    for result in results.values():
        assert result.returncode == 4, result.stderr[-2000:]
        assert "ERROR: Uncaught exception in luigi" in result.stderr
        assert "ValueError: requires exploded" in result.stderr.splitlines()
