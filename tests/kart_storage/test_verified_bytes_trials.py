"""Trials for issue #17 item 1: 100 rewrites of a signed pickle placed at seeded moments of a load (in
the middle of the copy that is hashed, or after the hash and before the decode), and 100 `data_*.pkl`
plants during signed large-DataFrame loads. The outcome of each trial is one of: the hashed bytes were
loaded, the load was refused (UntrustedPickleError), or a bypass (the attacker's pickle ran, or other
data came back). The counts are printed and recorded as junit properties; bypasses must be 0.
"""

from __future__ import annotations

import os
import pickle
import random
import tempfile
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import kart_storage
from kart_storage import LargeDataFrameProcessor, UntrustedPickleError, make_model_target, make_target
from kart_storage._integrity import IntegrityPolicy, Seal

KEY = "correct horse battery staple"
pytestmark = pytest.mark.usefixtures("no_trust_environment")


class _Payload:
    """Unpickling this runs `os.mkdir(marker)`: visible proof that the attacker's bytes were decoded."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (self.marker,))


@pytest.fixture(params=["local", "s3"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "local":
        return str(tmp_path / "store")
    return str(request.getfixturevalue("s3_root"))


def _rewrite(path: str, content: bytes) -> None:
    """In place on local disk (the inode the reader has open); a replacement keeping the seal on S3."""
    if "://" not in path:
        with open(path, "r+b") as handle:
            handle.write(content)
            handle.truncate()
        return
    filesystem = kart_storage.filesystem_for(path)
    metadata = filesystem.read_metadata(path)  # type: ignore[attr-defined]
    with filesystem.open_write(path, metadata=metadata) as stream:
        stream.write(content)


class _Moments:
    """Runs the armed fault once, at the chosen moment: after `reads` reads of the hashed copy (the
    snapshot's reader; 1 MiB each), or after the hash, just before the check and the decode."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.fault: Callable[[], None] | None = None
        self.reads_left: int | None = None
        read = kart_storage._snapshot._Copying.read
        check = IntegrityPolicy.check

        def counting_read(copying: Any, size: int = -1) -> bytes:
            data = read(copying, size)
            if self.reads_left is not None:
                self.reads_left -= 1
                if self.reads_left == 0:
                    self._fire()
            return data

        def hooked_check(policy: IntegrityPolicy, path: str, recorded: Seal | None, actual: Seal) -> None:
            if self.reads_left is None:
                self._fire()
            check(policy, path, recorded, actual)

        monkeypatch.setattr(kart_storage._snapshot._Copying, "read", counting_read)
        monkeypatch.setattr(IntegrityPolicy, "check", hooked_check)

    def arm(self, fault: Callable[[], None], reads: int | None) -> None:
        self.fault, self.reads_left = fault, reads

    def _fire(self) -> None:
        fault, self.fault = self.fault, None
        if fault is not None:
            fault()


def _report(record_property: Callable[[str, object], None], name: str, outcomes: Counter[str]) -> None:
    print(f"\n{name}: {dict(outcomes)}")
    for outcome, count in outcomes.items():
        record_property(f"{name}_{outcome}", count)


def test_rewrites_during_signed_loads(
    root: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record_property: Callable[[str, object], None]
) -> None:
    trials = 100 if "://" not in root else 40
    draw = random.Random(17)
    moments = _Moments(monkeypatch)
    target = make_target(f"{root}/weights.pkl", signing_key=KEY)
    outcomes: Counter[str] = Counter()
    for trial in range(trials):
        value = np.full(3 * 2**20 // 8, float(trial))  # 3 MiB: four reads of the copy
        target.dump(value)
        marker = tmp_path / f"ran-{trial}"
        payload = pickle.dumps(_Payload(str(marker)))
        reads = draw.choice([None, 1, 2, 3])
        moments.arm(partial(_rewrite, target.path(), payload), reads)
        try:
            loaded = target.load()
        except UntrustedPickleError:
            outcomes["refused"] += 1
        else:
            same = isinstance(loaded, np.ndarray) and bool((loaded == float(trial)).all())
            outcomes["loaded_the_hashed_bytes" if same else "bypass"] += 1
        if marker.exists():
            outcomes["bypass"] += 1
    _report(record_property, "rewrite", outcomes)
    assert outcomes["bypass"] == 0
    assert sum(outcomes.values()) == trials


def _plant_in(directories: list[Path], payload: bytes) -> None:
    for top in directories:
        for directory in [top, *(entry for entry in top.rglob("*") if entry.is_dir())]:
            try:
                (directory / "data_9.pkl").write_bytes(payload)
            except OSError:
                pass  # a directory that vanished meanwhile, or one the attacker may not enter


def test_plants_during_signed_large_frame_loads(
    root: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record_property: Callable[[str, object], None]
) -> None:
    trials = 100 if "://" not in root else 40
    draw = random.Random(18)
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    scratch = tmp_path / "workspace" / "resources" / "tmp"
    scratch.mkdir(parents=True)  # the shared scratch folder, as gokart's default exists in a workspace
    processor = LargeDataFrameProcessor(max_byte=2**20)
    frame = pd.DataFrame({"a": np.arange(2**18), "b": np.arange(2**18, dtype=float)})  # 4 MiB: 5 chunks
    path = f"{root}/frame.zip"
    make_model_target(path, str(scratch), processor.save, processor.load, signing_key=KEY).dump(frame)
    target = make_model_target(path, str(scratch), processor.save, processor.load, signing_key=KEY)
    moments = _Moments(monkeypatch)
    outcomes: Counter[str] = Counter()
    for trial in range(trials):
        marker = tmp_path / f"ran-{trial}"
        payload = pickle.dumps(_Payload(str(marker)))
        moments.arm(partial(_plant_in, [scratch, system_tmp], payload), draw.choice([None, 1, 2]))
        loaded = target.load()
        same = isinstance(loaded, pd.DataFrame) and loaded.equals(frame)
        outcomes["bypass" if marker.exists() or not same else "loaded_the_archive_only"] += 1
    _report(record_property, "plant", outcomes)
    assert outcomes["bypass"] == 0
    assert outcomes["loaded_the_archive_only"] == trials
