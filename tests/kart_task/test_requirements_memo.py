"""A task's requires() is called once per build (kart_task._build_memo): the unique id, the completeness
prefetch, luigi's scheduling and input() at run share the first answer; outside a build, and for a
requires() that raises or returns a generator, every call reaches requires()."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import luigi
import pytest

import kart_storage
import kart_task
from _servers import Server
from kart_task import TaskOnKart, gokart_worker
from kart_task._build_memo import Memo, remembered, requirements


def _record(calls: str, name: str) -> None:
    """A file per call: counts calls made in forked task processes too."""
    Path(calls, f"{name}-{uuid.uuid4().hex}").touch()


def _calls(calls: str, name: str) -> int:
    return sum(1 for entry in os.listdir(calls) if entry.rsplit("-", 1)[0] == name)


class _MemoLeaf(TaskOnKart[int]):
    index = luigi.IntParameter()
    calls = luigi.Parameter(significant=False)

    def requires(self) -> list[Any]:
        _record(self.calls, f"leaf{self.index}")
        return []

    def run(self) -> None:
        self.dump(self.index)


class _MemoRoot(TaskOnKart[int]):
    count = luigi.IntParameter()
    calls = luigi.Parameter(significant=False)

    def requires(self) -> list[_MemoLeaf]:
        _record(self.calls, "root")
        return [
            _MemoLeaf(index=i, calls=self.calls, workspace_directory=self.workspace_directory)
            for i in range(self.count)
        ]

    def run(self) -> None:
        self.dump(sum(self.load()))


class _GeneratorRoot(TaskOnKart[int]):
    calls = luigi.Parameter(significant=False)

    def requires(self) -> Iterator[_MemoLeaf]:
        _record(self.calls, "generator")
        return (_MemoLeaf(index=i, calls=self.calls) for i in range(3))

    def run(self) -> None:
        self.dump(len(list(self.input())))


@pytest.fixture
def calls(tmp_path: Path) -> str:
    folder = tmp_path / "calls"
    folder.mkdir()
    return str(folder)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_build_calls_each_requires_once(workspace: Path, calls: str, workers: int) -> None:
    root = _MemoRoot(count=5, calls=calls)
    assert kart_task.build(root, reset_register=False, workers=workers) == 10
    # unique id, prefetch walk, luigi's deps(), input() and load() at run: one call
    assert _calls(calls, "root") == 1
    assert [_calls(calls, f"leaf{i}") for i in range(5)] == [1] * 5


def test_without_the_prefetch_requires_is_still_called_once(workspace: Path, calls: str) -> None:
    class Factory(kart_task.WorkerSchedulerFactory):
        def create_worker(self, scheduler: Any, worker_processes: int, assistant: bool = False) -> Any:
            config = gokart_worker(completion_prefetch=False)
            return kart_task.Worker(
                scheduler, worker_processes=worker_processes, assistant=assistant, config=config
            )

    root = _MemoRoot(count=3, calls=calls)
    assert kart_task.build(root, reset_register=False, worker_scheduler_factory=Factory()) == 3
    assert _calls(calls, "root") == 1


def test_dumps_on_gcs_ask_requires_once(gcs_server: Server, calls: str) -> None:
    """Every dump of a task labels its GCS object with its required tasks' outputs (gokart's labels):
    from the remembered requirements, not from a fresh requires() per dump (the root dumps six files)."""
    bucket = f"kart-memo-{uuid.uuid4().hex[:12]}"
    filesystem: Any = kart_storage.filesystem_for(f"gs://{bucket}/")
    filesystem.client.create_bucket(bucket)
    root = _MemoRoot(count=3, calls=calls, workspace_directory=f"gs://{bucket}/ws")
    assert kart_task.build(root, reset_register=False) == 3
    assert _calls(calls, "root") == 1
    labels = filesystem.read_metadata(root.output().path())
    assert "_MemoLeaf" in labels["__required_task_outputs"]


def test_outside_a_build_every_call_reaches_requires(workspace: Path, calls: str) -> None:
    root = _MemoRoot(count=2, calls=calls)
    root.requires()
    requirements(root)
    root.input()
    assert _calls(calls, "root") == 3


def test_a_second_build_asks_again(workspace: Path, calls: str) -> None:
    """The memo lives as long as one build's worker: a later build sees a changed requires()."""
    kart_task.build(_MemoRoot(count=2, calls=calls), reset_register=False)
    kart_task.build(_MemoRoot(count=2, calls=calls, rerun=True), reset_register=False)  # runs again
    assert _calls(calls, "root") == 2


def test_each_caller_gets_its_own_list(calls: str) -> None:
    root = _MemoRoot(count=2, calls=calls)
    memo = Memo()
    with remembered(memo):
        first = requirements(root)
        first.append("changed by a caller")
        second = requirements(root)
    assert len(second) == 2
    assert _calls(calls, "root") == 1


def test_a_generator_is_not_remembered(workspace: Path, calls: str) -> None:
    assert kart_task.build(_GeneratorRoot(calls=calls), reset_register=False) == 3
    assert _calls(calls, "generator") > 1  # each reader needs a generator of its own


class _FailsOnce(TaskOnKart[int]):
    calls = luigi.Parameter(significant=False)

    def requires(self) -> list[Any]:
        _record(self.calls, "fails")
        if _calls(self.calls, "fails") == 1:
            raise RuntimeError("first call fails")
        return []


def test_a_requires_that_raises_is_asked_again(calls: str) -> None:
    task = _FailsOnce(calls=calls)
    memo = Memo()
    with remembered(memo):
        with pytest.raises(RuntimeError, match="first call fails"):
            requirements(task)
        assert requirements(task) == []
    assert _calls(calls, "fails") == 2


def test_a_copy_of_a_task_is_asked_itself(calls: str) -> None:
    """Keyed by the task object: an equal task (another object) does not get the first one's answer."""
    luigi.task_register.Register.disable_instance_cache()
    try:
        one, two = _MemoRoot(count=1, calls=calls), _MemoRoot(count=1, calls=calls)
    finally:
        luigi.task_register.Register.clear_instance_cache()
    assert one is not two
    with remembered(Memo()):
        requirements(one)
        requirements(two)
    assert _calls(calls, "root") == 2


def test_reset_forgets_the_memo(calls: str) -> None:
    root = _MemoRoot(count=1, calls=calls)
    with remembered(Memo()):
        requirements(root)
        kart_task.reset()
        requirements(root)
    assert _calls(calls, "root") == 2
