"""Crash harness: a forked child dumps a large object and is SIGKILLed at a random moment; afterwards no
target may report exists() with partial content (a strict, digest-verified load must return one complete
payload), and a rebuild must complete. Local disk, S3 (moto's server, multipart uploads) and GCS (the
emulator, resumable uploads).

Each trial writes to one of a few paths, so kills hit both first writes and overwrites. The counts are
printed and recorded as junit properties (`record_property`).
"""

from __future__ import annotations

import os
import random
import signal
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import kart_storage
from kart_storage import CorruptTargetError, GCSConfig, S3Config, make_target

_PATHS_PER_RUN = 5
pytestmark = pytest.mark.usefixtures("no_trust_environment")


def _payload(trial: int, size: int) -> np.ndarray[Any, Any]:
    """Every element equals `trial`: a load tells which complete write it returned, or that it is torn."""
    return np.full(size // 8, float(trial))


def _child_dump(path: str, trial: int, size: int, configure: Callable[[], None], pipe: int) -> None:
    """Runs in the forked child: fresh clients (never share the parent's sockets), then dump."""
    try:
        configure()
        target = make_target(path, verify_integrity="strict")
        os.write(pipe, b"B")
        target.dump(_payload(trial, size))
        os.write(pipe, b"E")
    except BaseException:
        os._exit(1)
    os._exit(0)


def _fork_dump(
    path: str, trial: int, size: int, configure: Callable[[], None], kill_after: float | None
) -> str:
    """Fork a dumping child, SIGKILL it after `kill_after` seconds (None: let it finish); returns what
    the child reported: "" (killed before it began writing), "B" (killed mid-write), "BE" (finished)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_end)
        _child_dump(path, trial, size, configure, write_end)
    os.close(write_end)
    if kill_after is not None:
        time.sleep(kill_after)
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    reported = b""
    while chunk := os.read(read_end, 16):
        reported += chunk
    os.close(read_end)
    return reported.decode()


def _check_after_kill(path: str, trial: int, size: int, counts: Counter[str]) -> None:
    """exists() implies a complete payload from this or an earlier trial on the same path."""
    target = make_target(path, verify_integrity="strict")
    if not target.exists():
        counts["absent after kill"] += 1
        return
    counts["exists after kill"] += 1
    try:
        loaded = target.load()
    except CorruptTargetError:
        counts["partial files seen"] += 1
        return
    values = np.unique(loaded)
    complete = loaded.shape == (size // 8,) and values.size == 1
    if not complete or int(values[0]) > trial or int(values[0]) % _PATHS_PER_RUN != trial % _PATHS_PER_RUN:
        counts["partial files seen"] += 1


def _rebuild(path: str, trial: int, size: int, counts: Counter[str]) -> None:
    target = make_target(path, verify_integrity="strict")
    target.dump(_payload(trial, size))
    assert np.array_equal(target.load(), _payload(trial, size))
    counts["rebuilds completed"] += 1


def _run(root: str, trials: int, size: int, configure: Callable[[], None], seed: int) -> Counter[str]:
    rng = random.Random(seed)
    configure()
    # calibrate: how long one complete dump takes in a child, fork included
    durations = []
    for attempt in range(3):
        started = time.monotonic()
        assert _fork_dump(f"{root}/calibrate-{attempt}.pkl", attempt, size, configure, None) == "BE"
        durations.append(time.monotonic() - started)
    typical = statistics.median(durations)
    window = typical
    counts: Counter[str] = Counter(trials=trials)
    for trial in range(trials):
        path = f"{root}/out/t{trial % _PATHS_PER_RUN}.pkl"
        reported = _fork_dump(path, trial, size, configure, rng.uniform(0.0, window))
        # follow the machine's speed (other jobs share it): aim the kills at the write itself
        if reported == "BE":
            window *= 0.85
        elif reported == "":
            window *= 1.15
        counts[
            {"": "killed before writing", "B": "killed mid-write", "BE": "finished before kill"}[reported]
        ] += 1
        _check_after_kill(path, trial, size, counts)
        if not make_target(path).exists():
            _rebuild(path, trial, size, counts)
    for offset in range(_PATHS_PER_RUN):  # finally every output rebuilt over whatever the kills left
        _rebuild(f"{root}/out/t{offset}.pkl", trials + offset, size, counts)
    counts["typical dump ms"] = round(typical * 1000)
    return counts


def _report(backend: str, counts: Counter[str], record_property: Callable[[str, object], None]) -> None:
    line = ", ".join(f"{name}={value}" for name, value in counts.items())
    print(f"\ncrash harness [{backend}]: {line}")
    for name, value in counts.items():
        record_property(f"crash-{backend}-{name.replace(' ', '-')}", value)
    assert counts["partial files seen"] == 0
    assert counts["killed mid-write"] >= counts["trials"] // 4, "the kill window missed the writes"
    assert counts["rebuilds completed"] >= _PATHS_PER_RUN


@pytest.mark.timeout(300)
def test_sigkill_during_local_dumps(tmp_path: Path, record_property: Callable[[str, object], None]) -> None:
    counts = _run(str(tmp_path), trials=100, size=16 * 2**20, configure=kart_storage.configure_local, seed=1)
    litter = [name for name in os.listdir(tmp_path / "out") if "-kart-tmp-" in name]
    counts["orphan temporary files"] = len(litter)  # invisible to exists(); what a killed writer leaves
    _report("local", counts, record_property)


@contextmanager
def _restoring(configure: Callable[[], None]) -> Iterator[None]:
    try:
        yield
    finally:
        configure()


@pytest.mark.timeout(300)
def test_sigkill_during_s3_multipart_dumps(
    s3_root: str, record_property: Callable[[str, object], None]
) -> None:
    config = S3Config(multipart_threshold=5 * 2**20, multipart_chunksize=5 * 2**20)
    with _restoring(kart_storage.configure_s3):
        counts = _run(
            s3_root, trials=50, size=11 * 2**20, configure=lambda: kart_storage.configure_s3(config), seed=2
        )
        s3 = kart_storage.filesystem_for(s3_root + "/")
        assert isinstance(s3, kart_storage.S3FileSystem)
        uploads = s3.client.list_multipart_uploads(Bucket=s3_root.removeprefix("s3://")).get("Uploads", [])
        counts["unfinished multipart uploads"] = len(uploads)  # invisible; a lifecycle rule removes them
    _report("s3", counts, record_property)


@pytest.mark.timeout(300)
def test_sigkill_during_gcs_resumable_dumps(
    gcs_root: str, record_property: Callable[[str, object], None]
) -> None:
    config = GCSConfig(chunk_size=2 * 2**20)
    with _restoring(kart_storage.configure_gcs):
        counts = _run(
            gcs_root, trials=100, size=6 * 2**20, configure=lambda: kart_storage.configure_gcs(config), seed=3
        )
    _report("gcs", counts, record_property)
