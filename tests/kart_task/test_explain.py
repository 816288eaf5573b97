"""explain(): which tasks a build would run and why, found without running or deleting anything."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import luigi
import pytest
from treeproj.tasks import Checked, NeedsExternal, NeverDone, TaskA, TaskB, TaskC, docs_example

import kart_task
from kart_task._explain import (
    CODE_CHANGED,
    DEPENDENCY_WILL_RUN,
    EXTERNAL_MISSING,
    INPUT_NEWER,
    NOT_COMPLETE,
    OUTPUT_MISSING,
    RERUN,
    RunReason,
    explain,
    format_explanation,
)

MODULE_DIR = "./resources/treeproj/tasks"
A_FOO = "be65508b556dd3752359b4246791413d"
C_FOO = "66d4ec7ae14c9eb2ca0db4d835d83ace"


def _build(task: luigi.Task) -> None:
    assert luigi.build([task], local_scheduler=True, log_level="ERROR")
    luigi.task_register.Register.clear_instance_cache()


def _summary(records: list[RunReason]) -> list[tuple[str, str]]:
    return [(type(r.task).__name__, r.reason) for r in records]


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_fresh_tree_runs_every_distinct_task_dependencies_first(workspace: Path) -> None:
    records = explain(docs_example())
    tasks = list(dict.fromkeys(id(r.task) for r in records))
    assert len(tasks) == 8
    position = {id(r.task): tasks.index(id(r.task)) for r in records}
    for record in records:
        for dependency in kart_task.flatten(record.task.requires()):
            assert position[id(dependency)] < position[id(record.task)]
    leaves = [r for r in records if isinstance(r.task, TaskA)]
    assert {r.reason for r in leaves} == {OUTPUT_MISSING}
    root = [r for r in records if r.task is docs_example()]
    assert [r.reason for r in root] == [OUTPUT_MISSING, DEPENDENCY_WILL_RUN]
    assert root[1].detail == "TaskD[4d6dbd52941d26708ae01d52a6453d65]"  # required twice, named once
    assert _files(workspace) == []


def test_format_explanation_text(workspace: Path) -> None:
    text = format_explanation(explain(TaskC(task=TaskA(param="foo"))))
    assert text == (
        "2 tasks would run:\n"
        f"TaskA[{A_FOO}]\n"
        f"  - output missing: {MODULE_DIR}/TaskA_{A_FOO}.pkl\n"
        f"TaskC[{C_FOO}]\n"
        f"  - output missing: {MODULE_DIR}/TaskC_{C_FOO}.pkl\n"
        f"  - a dependency will run: TaskA[{A_FOO}]"
    )


def test_nothing_runs_once_built(workspace: Path) -> None:
    _build(TaskC(task=TaskA(param="foo")))
    assert explain(TaskC(task=TaskA(param="foo"))) == []
    assert format_explanation([]) == "Nothing would run: every task needed is complete."


def test_complete_parts_of_a_tree_are_left_out(workspace: Path) -> None:
    _build(TaskC(task=TaskA(param="foo")))
    records = explain(TaskB(task=TaskC(task=TaskA(param="foo"))))
    assert _summary(records) == [("TaskB", OUTPUT_MISSING)]


def test_a_complete_task_hides_missing_outputs_below_it_as_luigi_does(workspace: Path) -> None:
    _build(TaskC(task=TaskA(param="foo")))
    os.remove(TaskA(param="foo").output().path())
    assert explain(TaskC(task=TaskA(param="foo"))) == []
    assert _summary(explain(TaskA(param="foo"))) == [("TaskA", OUTPUT_MISSING)]


def test_rerun_is_reported_and_nothing_is_deleted(workspace: Path) -> None:
    _build(TaskA(param="r"))
    task = TaskA(param="r", rerun=True)
    output = Path(task.output().path())
    records = explain(task)
    assert _summary(records) == [("TaskA", RERUN)]
    assert output.exists()
    assert "rerun=True: its outputs are deleted and rebuilt" in format_explanation(records)


def test_strict_check_reruns_a_task_whose_dependency_will_run(workspace: Path) -> None:
    _build(TaskB(task=TaskA(param="s")))
    os.remove(TaskA(param="s").output().path())
    records = explain(TaskB(task=TaskA(param="s"), strict_check=True))
    assert _summary(records) == [("TaskA", OUTPUT_MISSING), ("TaskB", DEPENDENCY_WILL_RUN)]
    assert records[1].detail == f"TaskA[{TaskA(param='s').make_unique_id()}]"


def test_newer_input_under_modification_time_check(workspace: Path) -> None:
    task = TaskB(task=TaskA(param="m"), modification_time_check=True)
    _build(task)
    task = TaskB(task=TaskA(param="m"), modification_time_check=True)
    assert explain(task) == []
    input_path = TaskA(param="m").output().path()
    newer = os.path.getmtime(task.output().path()) + 100
    os.utime(input_path, (newer, newer))
    records = explain(task)
    assert _summary(records) == [("TaskB", INPUT_NEWER)]
    assert records[0].detail == input_path
    without_check = TaskB(task=TaskA(param="m"))
    assert explain(without_check) == []


def test_code_change_under_serialized_task_definition_check(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(Checked(serialized_task_definition_check=True))
    before = Checked(serialized_task_definition_check=True).make_unique_id()
    luigi.task_register.Register.clear_instance_cache()
    monkeypatch.setattr(Checked, "get_own_code", lambda self: "def run(self):\n    return 'edited'\n")
    edited = Checked(serialized_task_definition_check=True)
    assert edited.make_unique_id() != before
    records = explain(edited)
    assert _summary(records) == [("Checked", CODE_CHANGED)]
    assert f"under id {before}" in records[0].detail
    assert f"Checked_{before}.pkl" in records[0].detail
    other_parameters = Checked(n=2, serialized_task_definition_check=True)
    assert _summary(explain(other_parameters)) == [("Checked", OUTPUT_MISSING)]


def test_custom_complete_and_external_data(workspace: Path) -> None:
    assert _summary(explain(NeverDone())) == [("NeverDone", NOT_COMPLETE)]
    records = explain(NeedsExternal(path=str(workspace / "absent.csv")))
    assert _summary(records) == [("ExternalFile", EXTERNAL_MISSING), ("NeedsExternal", OUTPUT_MISSING)]
    assert str(workspace / "absent.csv") in records[0].detail
    (workspace / "present.csv").write_text("x")
    assert _summary(explain(NeedsExternal(path=str(workspace / "present.csv")))) == [
        ("NeedsExternal", OUTPUT_MISSING)
    ]


def test_explain_runs_nothing(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("explain must not run or schedule tasks")

    monkeypatch.setattr(luigi, "build", refuse)
    monkeypatch.setattr(luigi.worker.Worker, "run", refuse)
    monkeypatch.setattr(TaskA, "run", refuse)
    monkeypatch.setattr(TaskC, "run", refuse)
    records = explain(TaskC(task=TaskA(param="foo")))
    assert len(records) == 3
    assert _files(workspace) == []
