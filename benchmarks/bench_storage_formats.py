"""dump+load of a 1,000,000-row x 10-column DataFrame through kart-storage next to the raw pandas /
pickle calls on the same data, on local disk. Goal: kart <= 1.05 x raw.

Run: `python3 -m hatch run pytest benchmarks/bench_storage_formats.py -p no:randomly
--benchmark-columns=min,median,mean,rounds`.
kart's local writes are atomic (temporary file, fsync, rename); the raw calls write in place. So each
format is measured four ways: raw, raw plus the same fsync, kart (durable, the default) and kart with
`configure_local(durable=False)` (still atomic against a killed process; no fsync). Compare kart with
raw_fsync and kart_no_fsync with raw.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kart_storage import FeatherFileProcessor, configure_local, make_target

ROWS = 1_000_000


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(42)
    columns: dict[str, Any] = {f"f{i}": rng.random(ROWS) for i in range(7)}
    columns["i0"] = rng.integers(0, 1_000_000, ROWS)
    columns["i1"] = np.arange(ROWS)
    columns["s"] = pd.Series(rng.integers(0, 1000, ROWS)).map("item-{}".format).astype(object)
    return pd.DataFrame(columns)


def _raw_pickle(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    with open(path, "wb") as file:
        pickle.dump(frame, file, protocol=4)
    with open(path, "rb") as file:
        return pickle.load(file)  # type: ignore[no-any-return]


def _raw_parquet(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    frame.to_parquet(path, index=False, compression="gzip")  # gokart's .parquet default
    return pd.read_parquet(path)


def _raw_feather(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    frame.to_feather(path)
    return pd.read_feather(path)


def _raw_csv(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    frame.to_csv(path, index=False)
    return pd.read_csv(path)


RAW: dict[str, Callable[[pd.DataFrame, Path], pd.DataFrame]] = {
    "pkl": _raw_pickle,
    "parquet": _raw_parquet,
    "feather": _raw_feather,
    "csv": _raw_csv,
}
ROUNDS = {"pkl": 5, "parquet": 3, "feather": 10, "csv": 2}


def _durable(
    write: Callable[[pd.DataFrame, Path], pd.DataFrame],
) -> Callable[[pd.DataFrame, Path], pd.DataFrame]:
    """The raw call plus the fsync that kart's atomic local write performs before its rename."""

    def run(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
        loaded = write(frame, path)
        with open(path, "rb+") as file:
            os.fsync(file.fileno())
        return loaded

    return run


def _kart(frame: pd.DataFrame, path: Path, **options: Any) -> pd.DataFrame:
    target = make_target(str(path), **options)
    target.dump(frame)
    return target.load()  # type: ignore[no-any-return]


def _kart_no_fsync(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    configure_local(durable=False)
    try:
        return _kart(frame, path)
    finally:
        configure_local()


# raw and kart cases of one format run back to back, so load from other processes hits both alike
CASES = [
    f"{fmt}-{kind}"
    for fmt in ("pkl", "feather", "parquet", "csv")
    for kind in ("raw", "kart_no_fsync", "raw_fsync", "kart")
] + ["feather-kart_no_index_column"]


def _runner(case: str) -> Callable[[pd.DataFrame, Path], pd.DataFrame]:
    fmt, kind = case.split("-")
    if kind == "raw":
        return RAW[fmt]
    if kind == "raw_fsync":
        return _durable(RAW[fmt])
    if kind == "kart_no_fsync":
        return _kart_no_fsync
    if kind == "kart_no_index_column":
        # gokart's feather default stores the index as an extra column; this is the like-for-like case
        processor = FeatherFileProcessor(store_index_in_feather=False)
        return lambda frame, path: _kart(frame, path, processor=processor)
    return _kart


@pytest.mark.parametrize("case", CASES)
def test_dump_and_load(benchmark: Any, frame: pd.DataFrame, tmp_path: Path, case: str) -> None:
    fmt = case.split("-")[0]
    benchmark.group = fmt
    loaded = benchmark.pedantic(
        _runner(case), args=(frame, tmp_path / f"data.{fmt}"), rounds=ROUNDS[fmt], iterations=1
    )
    assert len(loaded) == ROWS
