"""delete_local_unnecessary_outputs: only files no task of the tree writes, and only inside the workspace.

gokart deletes needed outputs too when the workspace is the default relative `./resources/`: tested here."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import luigi
import pytest

import kart_task
from kart_task._workspace import delete_local_unnecessary_outputs, unnecessary_output_files


class _Raw(kart_task.TaskOnKart[list[int]]):
    def output(self) -> Any:
        return self.make_target("wm/raw.pkl")

    def run(self) -> None:
        self.dump([1, 2, 3])


class _Summed(kart_task.TaskOnKart[int]):
    def requires(self) -> Any:
        return _Raw(workspace_directory=self.workspace_directory)

    def output(self) -> Any:
        return {"sum": self.make_target("wm/sum.pkl"), "text": self.make_target("wm/sum.txt")}

    def run(self) -> None:
        total = sum(self.load())
        self.dump(total, "sum")
        self.dump(str(total), "text")


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _build_and_litter(root: Path, **params: Any) -> tuple[_Summed, Path]:
    task = _Summed(**params)
    kart_task.build(task, reset_register=False)
    ws = Path(str(task.workspace_directory))
    ws = ws if ws.is_absolute() else root / ws
    (ws / "wm" / "old_0123.pkl").write_bytes(b"stale")
    (ws / "other").mkdir()
    (ws / "other" / "stale.csv").write_text("a\n1\n")
    (ws / "wm" / "NO_EXTENSION").write_text("kept: no dot in the name")
    (ws / "dir.with.dot").mkdir()
    (ws / "log" / "mine.txt").write_text("a log")
    return task, ws


def _needed(task: _Summed) -> set[str]:
    raw = _Raw(workspace_directory=task.workspace_directory)
    paths = [raw.output().path(), *(t.path() for t in task.output().values())]
    return {os.path.realpath(p) for p in paths}


def test_default_relative_workspace_keeps_needed_outputs(workspace: Path) -> None:
    task, ws = _build_and_litter(workspace)
    assert str(task.workspace_directory) == "./resources/"
    needed = _needed(task)
    before = _files(ws)
    delete_local_unnecessary_outputs(task)
    after = _files(ws)
    assert before - after == {"wm/old_0123.pkl", "other/stale.csv"}
    assert all(Path(p).exists() for p in needed)
    assert "log/mine.txt" in after
    assert "wm/NO_EXTENSION" in after
    assert (ws / "dir.with.dot").is_dir()
    assert _Summed().complete()
    assert kart_task.build(_Summed(), reset_register=False)["sum"] == 6  # the kept cache loads


def test_absolute_workspace(workspace: Path) -> None:
    ws = workspace / "abs_ws"
    task, _ = _build_and_litter(workspace, workspace_directory=str(ws))
    delete_local_unnecessary_outputs(task)
    assert not (ws / "wm" / "old_0123.pkl").exists()
    assert not (ws / "other" / "stale.csv").exists()
    assert all(Path(p).exists() for p in _needed(task))


def test_workspace_spelled_with_dot_dot_and_trailing_parts(workspace: Path) -> None:
    (workspace / "sub").mkdir()
    task, ws = _build_and_litter(workspace, workspace_directory="./sub/../resources//")
    delete_local_unnecessary_outputs(task)
    assert all(Path(p).exists() for p in _needed(task))
    assert not (ws / "wm" / "old_0123.pkl").exists()


def test_nothing_outside_the_workspace_is_touched(workspace: Path) -> None:
    outside = workspace / "outside"
    outside.mkdir()
    precious = outside / "precious.pkl"
    precious.write_bytes(b"keep")
    task, ws = _build_and_litter(workspace)
    (ws / "link.pkl").symlink_to(precious)
    (ws / "linked_dir").symlink_to(outside, target_is_directory=True)
    delete_local_unnecessary_outputs(task)
    assert precious.read_bytes() == b"keep"
    assert (ws / "link.pkl").is_symlink()


def test_all_necessary_is_logged(workspace: Path, caplog: pytest.LogCaptureFixture) -> None:
    task = _Summed()
    kart_task.build(task, reset_register=False)
    caplog.set_level("INFO", logger="gokart.workspace_management")
    delete_local_unnecessary_outputs(task)
    assert "all files are necessary for this task." in caplog.text


def test_unnecessary_files_listed_without_deleting(workspace: Path) -> None:
    task, ws = _build_and_litter(workspace)
    listed = unnecessary_output_files(task)
    assert sorted(Path(p).name for p in listed) == ["old_0123.pkl", "stale.csv"]
    assert (ws / "wm" / "old_0123.pkl").exists()


def test_object_storage_workspace_is_refused(workspace: Path) -> None:
    with pytest.raises(ValueError, match="s3://bucket/ws"):
        unnecessary_output_files(_Summed(workspace_directory="s3://bucket/ws"))


def test_missing_workspace_is_nothing_to_delete(workspace: Path, tmp_path: Path) -> None:
    assert unnecessary_output_files(_Summed(workspace_directory=str(tmp_path / "none"))) == []


def test_plain_luigi_requirements_are_kept(workspace: Path) -> None:
    external = workspace / "resources" / "input.csv"
    external.parent.mkdir(parents=True)
    external.write_text("a\n")

    class _Input(luigi.ExternalTask):
        def output(self) -> Any:
            return luigi.LocalTarget("./resources/input.csv")

    class _UsesInput(kart_task.TaskOnKart[int]):
        def requires(self) -> Any:
            return _Input()

        def run(self) -> None:
            # TaskOnKart.dump() trips over plain luigi targets upstream of it (LocalTarget.path is a str)
            self.output().dump(1)

    task = _UsesInput()
    kart_task.build(task, reset_register=False)
    delete_local_unnecessary_outputs(task)
    assert external.exists()
