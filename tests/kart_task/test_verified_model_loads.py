"""A task's large-DataFrame output under a signing key (issue #17, item 1): with gokart's default scratch
folder `./resources/tmp/` inside the workspace, a `data_*.pkl` planted anywhere in it while a signed load
is being checked is never unpickled, and the load leaves nothing of its own behind there."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kart_storage._integrity import IntegrityPolicy, Seal
from kart_task import TaskOnKart


class _Payload:
    """Unpickling this runs `os.mkdir(marker)`: a visible, harmless stand-in for someone else's code."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (self.marker,))


class _Frames(TaskOnKart[pd.DataFrame]):
    def output(self) -> Any:
        return self.make_large_data_frame_target(max_byte=2000)

    def run(self) -> None:
        self.dump(pd.DataFrame({"a": range(500)}))


def test_a_chunk_planted_in_the_default_scratch_folder_is_not_read(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KART_PICKLE_SIGNING_KEY", "a key only the workers know")
    monkeypatch.delenv("KART_VERIFY_INTEGRITY", raising=False)
    task = _Frames()
    assert task.local_temporary_directory == "./resources/tmp/"
    task.run()
    scratch = workspace / "resources" / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    marker = workspace / "ran"
    payload = pickle.dumps(_Payload(str(marker)))
    original = IntegrityPolicy.check

    def check(self: IntegrityPolicy, path: str, recorded: Seal | None, actual: Seal) -> None:
        for directory in [scratch, *(entry for entry in scratch.rglob("*") if entry.is_dir())]:
            (directory / "data_7.pkl").write_bytes(payload)
        original(self, path, recorded, actual)

    monkeypatch.setattr(IntegrityPolicy, "check", check)
    before = {entry.relative_to(scratch) for entry in scratch.rglob("*") if entry.is_dir()}

    loaded = task.output().load()

    assert not marker.exists(), "a chunk planted in ./resources/tmp/ was unpickled"
    pd.testing.assert_frame_equal(loaded, pd.DataFrame({"a": range(500)}))
    assert {entry.relative_to(scratch) for entry in scratch.rglob("*") if entry.is_dir()} == before
