"""`load()` of many inputs on an object store reads them concurrently (kart_task._load_many), with the
values in the order and shape of the inputs and the first failure in that order raised; moto's S3 server."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

import luigi
import pytest

import kart_storage
import kart_task
from _servers import Server
from kart_task import TaskOnKart
from kart_task._load_many import load_remote_concurrently


class _Part(TaskOnKart[int]):
    index = luigi.IntParameter()

    def run(self) -> None:
        self.dump(self.index)


class _Gather(TaskOnKart[Any]):
    count = luigi.IntParameter()
    as_dict = luigi.BoolParameter(default=False)

    def requires(self) -> Any:
        ws = self.workspace_directory
        parts = [_Part(index=i, workspace_directory=ws) for i in range(self.count)]
        return {f"p{i}": part for i, part in enumerate(parts)} if self.as_dict else parts

    def run(self) -> None:
        self.dump(self.load())


@pytest.fixture
def s3_workspace(s3_server: Server) -> str:
    bucket = f"kart-load-{uuid.uuid4().hex[:12]}"
    filesystem: Any = kart_storage.filesystem_for(f"s3://{bucket}/")
    filesystem.client.create_bucket(Bucket=bucket)
    return f"s3://{bucket}/ws"


@pytest.mark.parametrize("as_dict", [False, True])
def test_inputs_on_s3_load_in_order_and_shape(s3_workspace: str, as_dict: bool) -> None:
    gathered = kart_task.build(_Gather(count=40, as_dict=as_dict, workspace_directory=s3_workspace))
    if as_dict:
        assert gathered == {f"p{i}": i for i in range(40)}
    else:
        assert gathered == list(range(40))


def test_inputs_on_s3_are_read_by_several_threads(s3_workspace: str, monkeypatch: pytest.MonkeyPatch) -> None:
    parts = [_Part(index=i, workspace_directory=s3_workspace) for i in range(20)]
    for part in parts:
        part.dump(part.index)
    targets = [part.output() for part in parts]
    threads: set[int] = set()
    load = type(targets[0]).load

    def noted_load(target: Any, *args: Any, **kwargs: Any) -> Any:
        threads.add(threading.get_ident())
        return load(target, *args, **kwargs)

    monkeypatch.setattr(type(targets[0]), "load", noted_load)
    loaded = load_remote_concurrently({"a": targets[:10], "b": tuple(targets[10:])})
    assert [loaded[id(t)] for t in targets] == list(range(20))
    assert len(threads) > 1


def test_the_first_missing_input_in_order_is_the_error(s3_workspace: str) -> None:
    parts = [_Part(index=i, workspace_directory=s3_workspace) for i in range(10)]
    for part in parts[:3]:
        part.dump(part.index)
    targets = [part.output() for part in parts]
    with pytest.raises(kart_storage.TargetNotFoundError) as raised:
        load_remote_concurrently(targets)
    assert targets[3].path() in str(raised.value)


def test_local_and_memory_inputs_are_read_in_a_row(tmp_path: Path) -> None:
    local = [_Part(index=i, workspace_directory=str(tmp_path)) for i in range(3)]
    memory = [_Part(index=i, workspace_directory=f"memory://m-{uuid.uuid4().hex}") for i in range(3)]
    for part in local + memory:
        part.dump(part.index)
    assert load_remote_concurrently([p.output() for p in local + memory]) == {}
