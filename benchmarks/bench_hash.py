"""kart_hash.fingerprint next to hashlib on the same raw bytes (goal: >= 0.8 of raw throughput).

Run: hatch run bench benchmarks/bench_hash.py
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kart_hash import fingerprint

ROWS = 1_000_000


@pytest.fixture(scope="module")
def array_100mb() -> Any:
    return np.random.default_rng(0).random(100 * 1024 * 1024 // 8)


@pytest.fixture(scope="module")
def numeric_frame() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({f"c{i}": rng.random(ROWS) for i in range(10)})


@pytest.fixture(scope="module")
def mixed_frame(numeric_frame: pd.DataFrame) -> pd.DataFrame:
    frame = numeric_frame.iloc[:, :4].copy()
    frame["label"] = [f"item-{i % 5000}" for i in range(ROWS)]
    return frame


def _raw_sha256_of_columns(frame: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    for i in range(frame.shape[1]):
        digest.update(memoryview(frame.iloc[:, i].to_numpy(copy=False)))
    return digest.hexdigest()


@pytest.mark.benchmark(group="array 100 MB float64")
def test_array_raw_hashlib(benchmark: Any, array_100mb: Any) -> None:
    benchmark(lambda: hashlib.sha256(memoryview(array_100mb)).hexdigest())


@pytest.mark.benchmark(group="array 100 MB float64")
def test_array_fingerprint(benchmark: Any, array_100mb: Any) -> None:
    benchmark(fingerprint, array_100mb)


@pytest.mark.benchmark(group="DataFrame 1M x 10 float64")
def test_frame_raw_hashlib(benchmark: Any, numeric_frame: pd.DataFrame) -> None:
    benchmark(_raw_sha256_of_columns, numeric_frame)


@pytest.mark.benchmark(group="DataFrame 1M x 10 float64")
def test_frame_fingerprint(benchmark: Any, numeric_frame: pd.DataFrame) -> None:
    benchmark(fingerprint, numeric_frame)


@pytest.mark.benchmark(group="DataFrame 1M x (4 float64 + 1 str)")
def test_mixed_frame_fingerprint(benchmark: Any, mixed_frame: pd.DataFrame) -> None:
    benchmark(fingerprint, mixed_frame)
