"""Task-level safety (issue #8): paths cannot leave the workspace, verify_integrity and create_only reach
the storage layer, and wrong-typed task parameters fail at construction naming task and parameter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import luigi
import pytest

import kart_storage
import kart_task
from kart_task import TaskOnKart


class _Writes(TaskOnKart[str]):
    name = luigi.Parameter(default="out.pkl")

    def output(self) -> Any:
        return self.make_target(self.name)

    def run(self) -> None:
        self.dump("value")


class _Holder(TaskOnKart[str]):
    source = kart_task.TaskInstanceParameter()


class _ListHolder(TaskOnKart[str]):
    sources = kart_task.ListTaskInstanceParameter()


@pytest.mark.parametrize("name", ["../escape.pkl", "a/../../escape.pkl", "/etc/passwd.pkl", "~/x.pkl"])
def test_output_paths_cannot_leave_the_workspace(workspace: Path, name: str) -> None:
    with pytest.raises(kart_storage.UnsafePathError, match=r"_Writes: .*") as caught:
        _Writes(name=name).output()
    assert name in str(caught.value) or Path(name).name in str(caught.value)


def test_paths_inside_the_workspace_keep_gokarts_form(workspace: Path) -> None:
    task = _Writes(name="sub/../out.pkl")
    assert task.output().path().startswith("./resources/sub/../out_")


def test_verify_integrity_option_detects_an_altered_cache(workspace: Path) -> None:
    task = _Writes(verify_integrity="true")
    task.run()
    path = Path(task.output().path())
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(kart_storage.IntegrityError, match=str(path.name)):
        task.output().load()


def test_bad_verify_integrity_value_names_task(workspace: Path) -> None:
    with pytest.raises(ValueError, match="_Writes: verify_integrity must be"):
        _Writes(verify_integrity="maybe").output()


def test_create_only_keeps_the_first_output_and_skips_the_second(workspace: Path) -> None:
    first = _Writes(create_only=True)
    first.run()
    before = Path(first.output().path()).read_bytes()
    luigi.task_register.Register.clear_instance_cache()
    second = _Writes(create_only=True)
    second.dump("another value")  # loses the race: kept the first
    assert Path(second.output().path()).read_bytes() == before
    assert second.output().load() == "value"


def test_without_create_only_a_dump_replaces(workspace: Path) -> None:
    task = _Writes()
    task.run()
    task.dump("replaced")
    assert task.output().load() == "replaced"


def test_string_for_task_parameter_names_task_and_parameter() -> None:
    with pytest.raises(TypeError, match=r"_Holder: .*'source'.*TaskOnKart.*str"):
        _Holder(source="not a task")


def test_non_task_in_list_parameter_names_task_parameter_and_index() -> None:
    with pytest.raises(TypeError, match=r"_ListHolder: .*'sources'\[1\].*int"):
        _ListHolder(sources=[_Writes(), 3])
