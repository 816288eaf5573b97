"""TaskOnKart in real luigi builds on the local file system: outputs, loads, completeness, errors."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path
from typing import Any, ClassVar

import luigi
import pandas as pd
import pytest

import kart_storage
from kart_task import EmptyDumpError, ListTaskInstanceParameter, TaskInstanceParameter, TaskOnKart


class Source(TaskOnKart[pd.DataFrame]):
    runs: ClassVar[list[str]] = []
    name = luigi.Parameter(default="a")

    def output(self) -> Any:
        return self.make_target("data/source.csv")

    def run(self) -> None:
        Source.runs.append(self.name)
        self.dump(pd.DataFrame({"name": [self.name], "value": [len(self.name)]}))


class Combine(TaskOnKart[dict[str, Any]]):
    runs: ClassVar[int] = 0
    left = TaskInstanceParameter()
    right = TaskInstanceParameter()

    def run(self) -> None:
        Combine.runs += 1
        frames = self.load()
        self.dump({key: frame["name"].tolist() for key, frame in frames.items()})


def _build(task: luigi.Task) -> bool:
    return bool(luigi.build([task], local_scheduler=True, log_level="ERROR"))


@pytest.fixture(autouse=True)
def _reset_counters() -> None:
    Source.runs.clear()
    Combine.runs = 0


def test_build_dumps_loads_and_then_skips_completed_work(workspace: Path) -> None:
    task = Combine(left=Source(name="x"), right=Source(name="yy"))
    assert not task.complete()
    assert _build(task)
    assert task.output().load() == {"left": ["x"], "right": ["yy"]}
    assert sorted(Source.runs) == ["x", "yy"]
    assert (workspace / "resources" / "data" / f"source_{Source(name='x').make_unique_id()}.csv").exists()
    luigi.task_register.Register.clear_instance_cache()
    again = Combine(left=Source(name="x"), right=Source(name="yy"))
    assert again.complete()
    assert _build(again)
    assert Combine.runs == 1
    assert sorted(Source.runs) == ["x", "yy"]


def test_rerun_deletes_outputs_once(workspace: Path) -> None:
    assert _build(Source(name="r"))
    luigi.task_register.Register.clear_instance_cache()
    task = Source(name="r", rerun=True)
    output = task.output()
    assert output.exists()
    assert task.complete() is False
    assert not output.exists()
    assert _build(task)
    assert Source.runs == ["r", "r"]


def test_strict_and_modification_time_checks(workspace: Path) -> None:
    leaf = Source(name="s")
    parent = Combine(left=leaf, right=Source(name="t"))
    assert _build(parent)
    luigi.task_register.Register.clear_instance_cache()
    assert Combine(left=Source(name="s"), right=Source(name="t"), modification_time_check=True).complete()
    later = time.time() + 5
    os.utime(leaf.output().path(), (later, later))
    luigi.task_register.Register.clear_instance_cache()
    assert Combine(left=Source(name="s"), right=Source(name="t")).complete()
    assert not Combine(left=Source(name="s"), right=Source(name="t"), modification_time_check=True).complete()
    leaf.output().remove()
    luigi.task_register.Register.clear_instance_cache()
    assert Combine(left=Source(name="s"), right=Source(name="t")).complete()
    assert not Combine(left=Source(name="s"), right=Source(name="t"), strict_check=True).complete()


class Dicts(TaskOnKart[Any]):
    def requires(self) -> Any:
        return {"x": Value(v="x"), "y": Value(v="y"), "z": [Value(v="z1"), Value(v="z2")]}

    def run(self) -> None:
        self.dump(self.load())


class Value(TaskOnKart[str]):
    v = luigi.Parameter()

    def run(self) -> None:
        self.dump(self.v)


def test_load_variants_of_task_md_7(workspace: Path) -> None:
    task = Dicts()
    assert _build(task)
    assert task.load() == {"x": "x", "y": "y", "z": ["z1", "z2"]}
    assert task.load("x") == "x"
    assert task.load(["x", "y"]) == ["x", "y"]
    assert task.load(Value(v="y")) == "y"
    assert task.load([Value(v="z1"), Value(v="z2")]) == ["z1", "z2"]
    with pytest.raises(AssertionError, match="should be in requires method"):
        task.load(Value(v="nope"))
    assert list(task.load_generator(["x", "z"])) == ["x", "z1", "z2"]
    assert list(task.load_generator()) == ["x", "y", "z1", "z2"]


class EmptyFrame(TaskOnKart[pd.DataFrame]):
    def output(self) -> Any:
        return self.make_target("empty.csv")

    def run(self) -> None:
        self.dump(pd.DataFrame())


def test_fail_on_empty_dump_raises_and_writes_nothing(workspace: Path) -> None:
    task = EmptyFrame(fail_on_empty_dump=True)
    with pytest.raises(EmptyDumpError):
        task.run.__wrapped__()
    assert not task.output().exists()


def test_unsupported_extension_fails_at_make_target(workspace: Path) -> None:
    with pytest.raises(kart_storage.UnsupportedExtensionError, match=r"\.unknown"):
        Source().make_target("x.unknown")


class TakesTasks(TaskOnKart[Any]):
    one = TaskInstanceParameter()
    many = ListTaskInstanceParameter()


def test_wrong_typed_task_parameters_name_task_and_parameter() -> None:
    with pytest.raises(TypeError, match=r"TakesTasks: parameter 'one' takes a TaskOnKart instance, got str"):
        TakesTasks(one="Source", many=[])
    with pytest.raises(
        TypeError, match=r"TakesTasks: parameter 'many'\[1\] must be a TaskOnKart instance, got int"
    ):
        TakesTasks(one=Source(), many=[Source(), 3])


def test_completion_check_at_run_skips_a_completed_task(workspace: Path) -> None:
    task = Source(name="c")
    assert _build(task)
    task.run()
    assert Source.runs == ["c"]
    assert task.run.__wrapped__.__name__ == "run"


def test_tasks_survive_pickling_with_their_wrappers(workspace: Path) -> None:
    task = Combine(left=Source(name="p"), right=Source(name="q"))
    uid = task.make_unique_id()
    clone = pickle.loads(pickle.dumps(task))
    assert clone.make_unique_id() == uid
    assert clone.run.__wrapped__.__name__ == "run"
    assert clone.to_str_params(only_significant=True) == task.to_str_params(only_significant=True)


def test_clone_copies_parameters_but_not_rerun_flags() -> None:
    task = Source(name="k", rerun=True, strict_check=True, workspace_directory="./ws2/")
    copy = task.clone()
    assert copy.name == "k"
    assert copy.workspace_directory == "./ws2/"
    assert copy.rerun is False
    assert copy.strict_check is False
    assert task.clone(rerun=True).rerun is True
