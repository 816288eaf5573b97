# ruff: noqa: E501  (the embedded scripts are kept readable as whole lines)
"""build() hands back the exceptions user code raised, as gokart 1.12.2 does (issue #14).

- run(): `GokartBuildError.raised_exceptions[unique_id]` holds the very object run() raised, also when its
  class is defined inside a function; with `workers > 1` (forked task processes) an instance of the same
  class, and a stand-in only when that class does not exist in the building process.
- requires(): the exception comes out of build() itself (gokart's behaviour), after luigi logged it.
- a patched `luigi.build` (an object with `.status` / `.summary_text`) is read as gokart reads it.

The comparisons run one script under upstream gokart 1.12.2 (`import gokart`) and under kart-task
(`import kart_task as gokart`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar

import luigi
import pytest

import kart_task
from _upstream import last_json, run_here, run_upstream
from kart_task import GokartBuildError, TaskOnKart
from kart_task._exception_transport import ExceptionStandIn


def _local_error_class() -> type[Exception]:
    class LocalError(Exception):
        pass

    return LocalError


LocalError = _local_error_class()  # a class pickle cannot find by name


class NeedsTwo(Exception):
    """Pickles but does not unpickle (its __init__ wants two arguments, args holds one)."""

    def __init__(self, left: str, right: str) -> None:
        super().__init__(f"{left}/{right}")


class _Raises(TaskOnKart[int]):
    """run() raises the exception object stored under `key` (so the test can check identity)."""

    errors: ClassVar[dict[str, BaseException]] = {}
    key = luigi.Parameter()

    def run(self) -> None:
        raise self.errors[str(self.key)]


class _RaisesClassMadeInRun(TaskOnKart[int]):
    def run(self) -> None:
        class MadeInRun(Exception):
            pass

        raise MadeInRun("made in the task process")


class _RequiresRaises(TaskOnKart[int]):
    errors: ClassVar[dict[str, BaseException]] = {}
    key = luigi.Parameter()

    def requires(self) -> Any:
        raise self.errors[str(self.key)]


class _NeedsBrokenChild(TaskOnKart[int]):
    key = luigi.Parameter()

    def requires(self) -> Any:
        return _RequiresRaises(key=self.key)

    def run(self) -> None:
        self.dump(1)


def test_run_error_is_the_object_run_raised(workspace: Path) -> None:
    error = LocalError("run boom")
    _Raises.errors["one"] = error
    task = _Raises(key="one")
    with pytest.raises(GokartBuildError) as caught:
        kart_task.build(task)
    assert list(caught.value.raised_exceptions) == [task.make_unique_id()]
    [kept] = caught.value.raised_exceptions[task.make_unique_id()]
    assert kept is error


@pytest.mark.parametrize("error", [LocalError("forked boom"), NeedsTwo("a", "b"), ValueError("plain")])
def test_run_error_from_a_forked_task_process_keeps_its_class(workspace: Path, error: Exception) -> None:
    _Raises.errors["forked"] = error
    task = _Raises(key="forked")
    with pytest.raises(GokartBuildError) as caught:
        kart_task.build(task, workers=2)
    [kept] = caught.value.raised_exceptions[task.make_unique_id()]
    assert type(kept) is type(error)
    assert kept.args == error.args
    assert str(kept) == str(error)


def test_class_unknown_to_the_building_process_arrives_as_a_stand_in(workspace: Path) -> None:
    task = _RaisesClassMadeInRun()
    with pytest.raises(GokartBuildError) as caught:
        kart_task.build(task, workers=2)
    [kept] = caught.value.raised_exceptions[task.make_unique_id()]
    assert isinstance(kept, ExceptionStandIn)
    assert kept.type_name == f"{__name__}._RaisesClassMadeInRun.run.<locals>.MadeInRun"
    assert str(kept) == "made in the task process"
    assert "MadeInRun: made in the task process" in kept.traceback


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("root", [_RequiresRaises, _NeedsBrokenChild])
def test_requires_error_comes_out_of_build_and_is_logged(
    workspace: Path, caplog: pytest.LogCaptureFixture, workers: int, root: type[TaskOnKart[int]]
) -> None:
    error = LocalError("requires boom")
    _RequiresRaises.errors["req"] = error
    with caplog.at_level(logging.ERROR), pytest.raises(LocalError) as caught:
        kart_task.build(root(key="req"), workers=workers)
    assert caught.value is error
    assert "Luigi unexpected framework error while scheduling" in caplog.text
    assert "LocalError: requires boom" in caplog.text


# --- compared with upstream gokart 1.12.2 --------------------------------------------------------------

BUILD_ERRORS = """
import json, logging, os, sys, tempfile
import luigi
import {lib} as gokart

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
answer = {{}}
try:
    gokart.build(Root(workspace_directory=workspace), workers=workers)
except Exception as exc:
    answer = {{"type": type(exc).__qualname__, "str": str(exc)}}
    if hasattr(exc, "raised_exceptions"):
        answer["raised"] = {{key: [[name(e), str(e), type(e) is LocalError] for e in errors] for key, errors in exc.raised_exceptions.items()}}
        answer["keyed_by"] = sorted(
            label for label, task in (("root uid", Root(workspace_directory=workspace)), ("child uid", Child(workspace_directory=workspace)))
            if task.make_unique_id() in exc.raised_exceptions)
print(json.dumps(answer))
"""


def _both(script: str, *args: str) -> tuple[Any, Any, str, str]:
    upstream = run_upstream(script.format(lib="gokart"), *args)
    kart = run_here(script.format(lib="kart_task"), *args)
    return last_json(upstream), last_json(kart), upstream, kart


@pytest.mark.upstream
@pytest.mark.parametrize("where", ["run", "run_child"])
def test_run_errors_match_upstream(where: str) -> None:
    upstream, kart, _, _ = _both(BUILD_ERRORS, "1", where)
    assert upstream["type"] == "GokartBuildError"
    assert upstream["raised"][next(iter(upstream["raised"]))][0][2] is True  # upstream: the original class
    assert kart == upstream
    # With two workers gokart loses the exceptions (they stay in the forked child); kart has upstream's
    # single-worker answer there too.
    upstream_two, kart_two, _, _ = _both(BUILD_ERRORS, "2", where)
    assert upstream_two["raised"] == {}
    assert kart_two == upstream


@pytest.mark.upstream
@pytest.mark.parametrize("workers", ["1", "2"])
def test_requires_error_matches_upstream(workers: str) -> None:
    upstream, kart, _, _ = _both(BUILD_ERRORS, workers, "requires")
    assert upstream == {"type": "make.<locals>.LocalError", "str": "requires boom"}
    assert kart == upstream


REQUIRES_LOG = BUILD_ERRORS.replace("answer = {{}}", "answer = {{}}\nsys.stderr = sys.stdout")


@pytest.mark.upstream
def test_requires_error_is_logged_as_upstream_logs_it() -> None:
    """gokart's report of the error trips over its own `str(task)` ("--- Logging error ---"), but the
    traceback it prints ends in the exception; kart logs luigi's message with the same traceback."""
    _, _, upstream_out, kart_out = _both(REQUIRES_LOG, "1", "requires")
    assert "make.<locals>.LocalError: requires boom" in upstream_out
    assert "make.<locals>.LocalError: requires boom" in kart_out
    assert "Luigi unexpected framework error while scheduling Root" in kart_out


PATCHED_LUIGI_BUILD = """
import json
from unittest import mock
from luigi.execution_summary import LuigiStatusCode
import {lib} as gokart

class T(gokart.TaskOnKart):
    def run(self):
        self.dump(1)

answers = {{}}
statuses = [*LuigiStatusCode, "FAILED", None]
for status in statuses:
    fake = mock.MagicMock(return_value=mock.Mock(status=status, summary_text=f"summary of {{status}}"))
    with mock.patch("luigi.build", new=fake):
        try:
            answer = ["returned", repr(gokart.build(T(), return_value=False))]
        except Exception as exc:
            answer = [type(exc).__name__, str(exc), getattr(exc, "raised_exceptions", None)]
    answers[str(status)] = answer + [fake.call_count, sorted(fake.call_args.kwargs)]
print(json.dumps(answers))
"""


@pytest.mark.upstream
def test_patched_luigi_build_is_called_and_read_as_upstream() -> None:
    upstream, kart, _, _ = _both(PATCHED_LUIGI_BUILD)
    assert upstream["LuigiStatusCode.FAILED"][:2] == ["GokartBuildError", "summary of LuigiStatusCode.FAILED"]
    assert upstream["FAILED"][0] == "returned"  # a plain string is not one of luigi's failure codes
    assert kart == upstream
