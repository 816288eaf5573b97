"""Every format round-trips on S3 (moto's server over HTTP) and GCS (gcp-storage-emulator over HTTP).

The `s3_root` / `gcs_root` fixtures (conftest.py) start the servers and give a fresh bucket URL.
Object-store reads cannot seek, so this also proves the spooling in front of the processors.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest

from kart_storage import (
    LargeDataFrameProcessor,
    TargetNotFoundError,
    exists_many,
    make_model_target,
    make_target,
)

_FRAME = pd.DataFrame({"i": [1, 2, 3], "f": [0.5, None, 2.5], "s": ["a", "é", "c"]})
_NAMED = _FRAME.set_index(pd.Index([10, 20, 30], name="key"))


def _objects() -> dict[str, tuple[Any, Any]]:
    """name -> (object to dump, what load() must give back)"""
    return {
        "o.pkl": ({"frame": _NAMED}, {"frame": _NAMED}),
        "l.txt": (["a", "b"], ["a", "b"]),
        "c.ini": (["[s]", "k=v"], ["[s]", "k=v"]),
        "t.csv": (_NAMED, _FRAME),
        "t.tsv": (_NAMED, _FRAME),
        "l.gz": (["x", "y"], ["x", "y"]),
        "t.json": (_FRAME, _FRAME),
        "t.ndjson": (_FRAME, _FRAME),
        "a.npz": (np.arange(4), np.arange(4)),
        "t.parquet": (_NAMED, _FRAME),
        "t.feather": (_NAMED, _NAMED),
        "i.png": (b"\x89PNG", b"\x89PNG"),
        "i.jpg": (b"\xff\xd8", b"\xff\xd8"),
    }


def _assert_same(got: Any, want: Any) -> None:
    if isinstance(want, pd.DataFrame):
        pd.testing.assert_frame_equal(got, want)
    elif isinstance(want, np.ndarray):
        np.testing.assert_array_equal(got, want)
    elif isinstance(want, dict) and "frame" in want:
        pd.testing.assert_frame_equal(got["frame"], want["frame"])
    else:
        assert got == want


def _round_trip_everything(root: str, tmp_path: Path) -> None:
    before = datetime.now(UTC) - timedelta(minutes=5)
    targets = []
    for name, (obj, want) in _objects().items():
        target = make_target(f"{root}/formats/{name}")
        assert not target.exists()
        target.dump(obj)
        _assert_same(target.load(), want)
        moment = target.last_modification_time()
        assert moment.tzinfo is not None
        assert moment >= before
        targets.append(target)

    tree = make_target(f"{root}/formats/t.xml")
    tree.dump(ET.ElementTree(ET.fromstring("<a>é</a>")))
    assert tree.load().getroot().text == "é"

    for name in ("p.csv", "p.json", "p.ndjson", "p.parquet", "p.feather"):
        for dataframe_type in ("polars", "polars-lazy"):
            target = make_target(f"{root}/polars/{dataframe_type}/{name}", dataframe_type=dataframe_type)
            target.dump(pl.DataFrame({"a": [1, 2]}))
            loaded = target.load()
            if isinstance(loaded, pl.LazyFrame):
                loaded = loaded.collect()
            assert loaded.to_dict(as_series=False) == {"a": [1, 2]}

    missing = make_target(f"{root}/formats/missing.pkl")
    with pytest.raises(TargetNotFoundError):
        missing.load()
    assert exists_many([*targets, missing]) == [True] * len(targets) + [False]

    processor = LargeDataFrameProcessor(max_byte=100)
    frame = pd.DataFrame({"x": np.arange(50.0)})
    model = make_model_target(f"{root}/model.zip", str(tmp_path / "scratch"), processor.save, processor.load)
    model.dump(frame)
    pd.testing.assert_frame_equal(model.load(), frame)
    model.remove()
    assert not model.exists()

    targets[0].remove()
    assert not targets[0].exists()


def test_every_format_round_trips_on_s3(s3_root: str, tmp_path: Path) -> None:
    _round_trip_everything(s3_root, tmp_path)


def test_every_format_round_trips_on_gcs(gcs_root: str, tmp_path: Path) -> None:
    _round_trip_everything(gcs_root, tmp_path)


def test_gcs_dump_stores_task_state_labels_and_s3_does_not(gcs_root: str, s3_root: str) -> None:
    from kart_storage import RequiredTaskOutput, filesystem_for

    gcs = make_target(f"{gcs_root}/out/x.pkl")
    required = [RequiredTaskOutput("Up", "gs://b/up.pkl")]
    gcs.dump(1, task_params={"lr": 0.1}, custom_labels={"team": "ml"}, required_task_outputs=required)
    stored = filesystem_for(gcs.path()).read_metadata(gcs.path())  # type: ignore[attr-defined]
    assert stored["team"] == "ml"
    assert stored["lr"] == "0.1"
    assert '"__gokart_task_name": "Up"' in stored["__required_task_outputs"]

    s3 = make_target(f"{s3_root}/out/x.pkl")
    s3.dump(1, task_params={"lr": 0.1}, custom_labels={"team": "ml"})
    assert filesystem_for(s3.path()).read_metadata(s3.path()) == {}  # type: ignore[attr-defined]
