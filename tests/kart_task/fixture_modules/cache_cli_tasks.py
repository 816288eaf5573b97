"""Tasks for the cache command-line tests, in a module a subprocess can import (`--root
cache_cli_tasks:CacheCliRoot --size 1 ...` with this folder on PYTHONPATH)."""

from __future__ import annotations

import uuid
from pathlib import Path

import luigi

from kart_task import TaskOnKart


def record(calls: str, name: str) -> None:
    """A file per run: counts runs made in forked task processes too."""
    Path(calls, f"{name}-{uuid.uuid4().hex}").touch()


class CacheCliLeaf(TaskOnKart[list[int]]):
    size = luigi.IntParameter()
    calls = luigi.Parameter(significant=False)

    def run(self) -> None:
        record(self.calls, "leaf")
        self.dump(list(range(self.size)))


class CacheCliRoot(TaskOnKart[int]):
    size = luigi.IntParameter()
    calls = luigi.Parameter(significant=False)
    quick = luigi.BoolParameter(default=False, significant=False)

    def requires(self) -> CacheCliLeaf:
        return CacheCliLeaf(size=self.size, calls=self.calls, workspace_directory=self.workspace_directory)

    def run(self) -> None:
        record(self.calls, "root")
        self.dump(len(self.load()))
