"""Supplementary log files (task.md §9), seeds (§10) and restore (§11)."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any, ClassVar

import luigi
import numpy as np
import pytest

import kart_task
from kart_task import TaskOnKart


class Draws(TaskOnKart[dict[str, Any]]):
    p = luigi.IntParameter(default=3)
    seen: ClassVar[list[tuple[float, float]]] = []

    def run(self) -> None:
        draw = (random.random(), float(np.random.random()))
        Draws.seen.append(draw)
        self.task_log["hello"] = "world"
        self.dump({"draw": draw})


def _build(task: luigi.Task) -> bool:
    return bool(luigi.build([task], local_scheduler=True, log_level="ERROR"))


def test_log_files_are_written_where_gokart_writes_them(workspace: Path) -> None:
    task = Draws()
    assert _build(task)
    uid = task.make_unique_id()
    logs = workspace / "resources" / "log"
    for folder, ext in [
        ("task_params", "pkl"),
        ("random_seed", "pkl"),
        ("processing_time", "pkl"),
        ("task_log", "pkl"),
    ]:
        assert (logs / folder / f"Draws_{uid}.{ext}").exists(), folder
    assert "luigi==" in (logs / "module_versions" / f"Draws_{uid}.txt").read_text()
    assert task.get_task_params() == {"p": "3"}
    assert task.get_task_log()["hello"] == "world"
    assert task.get_task_log()["file_path"] == [task.output().path()]
    assert isinstance(task.get_processing_time(), float)
    seed = task._get_random_seeds_target().load()
    assert seed == {"seed": int(uid, 16) % (2**32 - 1), "seed_methods": ["random.seed", "numpy.random.seed"]}


def test_runs_are_reproducible_through_both_random_streams(workspace: Path) -> None:
    Draws.seen.clear()
    assert _build(Draws(p=4))
    luigi.task_register.Register.clear_instance_cache()
    assert _build(Draws(p=4, rerun=True))
    assert len(Draws.seen) == 2
    assert Draws.seen[0] == Draws.seen[1]


def test_try_set_seed_skips_missing_callables() -> None:
    done = TaskOnKart.try_set_seed(
        ["random.seed", "nonexistent.mod.seed", "numpy.random.nope", "numpy.random.seed"], 7
    )
    assert done == ["random.seed", "numpy.random.seed"]


def test_explicit_seed_and_the_zero_quirk() -> None:
    assert Draws(fix_random_seed_value=5)._get_random_seed() == 5
    task = Draws(fix_random_seed_value=0)
    assert task._get_random_seed() == int(task.make_unique_id(), 16) % (2**32 - 1)


def test_restore_rebuilds_the_task_from_its_recorded_params(workspace: Path) -> None:
    task = Draws(p=11)
    assert _build(task)
    luigi.task_register.Register.clear_instance_cache()
    restored = Draws.restore(task.make_unique_id())
    assert restored.p == 11
    assert restored.make_unique_id() == task.make_unique_id()


def test_a_skipped_run_keeps_the_logs_of_the_real_run(workspace: Path) -> None:
    task = Draws(p=21)
    assert _build(task)
    first_log = task.get_task_log()
    luigi.task_register.Register.clear_instance_cache()
    again = Draws(p=21)
    again.task_log = {}
    again.run()  # complete already: the wrapper skips run()
    assert again._kart_run_skipped
    luigi.task_register.Register.clear_instance_cache()
    assert Draws(p=21).get_task_log() == first_log


class _OneOutput(TaskOnKart[int]):
    def run(self) -> None:
        self.dump(1)


def test_only_the_output_is_fsynced_not_the_log_files(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    monkeypatch.delenv("KART_LOCAL_FSYNC", raising=False)
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    kart_task.build(_OneOutput(), reset_register=False)
    logs = list((workspace / "resources" / "log").rglob("*_*.*"))
    assert len(logs) == 5  # params, versions, seed, processing time, task log: all written
    assert len(synced) == 2  # the output file and its directory


def test_module_versions_follow_newly_loaded_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The text is cached per set of loaded modules; a module loaded later must show up in it."""
    from kart_task import _logs

    package = tmp_path / "kart_late_loaded_dist"
    package.mkdir()
    (package / "__init__.py").write_text("")
    info = tmp_path / "kart_late_loaded_dist-4.5.6.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: kart-late-loaded-dist\nVersion: 4.5.6\n")
    (info / "top_level.txt").write_text("kart_late_loaded_dist\n")
    (info / "RECORD").write_text("kart_late_loaded_dist/__init__.py,,\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(_logs, "_distributions_by_module", _logs._distributions_by_module.__wrapped__)
    before = _logs.module_versions_text()
    assert before == _logs.module_versions_text()
    assert "kart-late-loaded-dist==4.5.6" not in before
    import kart_late_loaded_dist  # noqa: F401

    try:
        assert "kart-late-loaded-dist==4.5.6" in _logs.module_versions_text()
    finally:
        del sys.modules["kart_late_loaded_dist"]
