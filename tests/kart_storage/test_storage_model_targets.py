"""Zipped model targets and the split DataFrame target (storage.md §6, §7)."""

from __future__ import annotations

import os
import uuid
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pickled_functions import load_pickle as load_model
from pickled_functions import save_pickle as save_model

from kart_storage import LargeDataFrameProcessor, ModelTarget, make_model_target


def save_directory(obj: Any, path: str) -> None:
    os.makedirs(path)
    for key, value in obj.items():
        with open(os.path.join(path, key), "w") as file:
            file.write(value)


def load_directory(path: str) -> dict[str, str]:
    result = {}
    for name in sorted(os.listdir(path)):
        with open(os.path.join(path, name)) as file:
            result[name] = file.read()
    return result


@pytest.fixture(params=["local", "memory"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "local":
        return str(tmp_path / "out")
    return f"memory://models-{uuid.uuid4().hex}"


def test_model_target_round_trip_and_archive_layout(root: str, tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    target = make_model_target(f"{root}/m.zip", str(scratch), save_model, load_model, unique_id="u1")
    assert isinstance(target, ModelTarget)
    assert target.path() == f"{root}/m_u1.zip"
    target.dump({"weights": [1, 2, 3]})
    assert target.exists()
    assert target.load() == {"weights": [1, 2, 3]}
    # scratch space is cleaned after dump and load; only the (empty) per-target root may stay
    assert [p for p in scratch.rglob("*") if p.is_file()] == []
    if not root.startswith("memory://"):
        with zipfile.ZipFile(target.path()) as archive:
            assert sorted(archive.namelist()) == ["load_function.pkl", "model.pkl"]
        assert sorted(os.listdir(root)) == ["m_u1.zip"]  # no temporary archive left next to it


def test_model_target_saver_may_write_a_directory(root: str, tmp_path: Path) -> None:
    target = make_model_target(f"{root}/d.zip", str(tmp_path / "s"), save_directory, load_directory)
    target.dump({"a.txt": "alpha", "b.txt": "beta"})
    assert target.load() == {"a.txt": "alpha", "b.txt": "beta"}


def test_model_target_loads_with_the_pickled_loader_when_none_is_given(root: str, tmp_path: Path) -> None:
    make_model_target(f"{root}/m.zip", str(tmp_path / "s"), save_model, load_model).dump([1])
    again = make_model_target(f"{root}/m.zip", str(tmp_path / "s"), save_model, None)
    assert again.load() == [1]


def test_model_target_remove_really_deletes(root: str, tmp_path: Path) -> None:
    """Upstream's local remove() was a silent no-op on the zip file."""
    target = make_model_target(f"{root}/m.zip", str(tmp_path / "s"), save_model, load_model)
    target.dump(1)
    target.remove()
    assert not target.exists()
    target.remove()  # removing a missing target is a no-op


def test_model_dump_failure_publishes_nothing(root: str, tmp_path: Path) -> None:
    def failing_saver(obj: Any, path: str) -> None:
        with open(path, "w") as file:
            file.write("partial")
        raise RuntimeError("saver failed")

    target = make_model_target(f"{root}/m.zip", str(tmp_path / "s"), failing_saver, load_model)
    with pytest.raises(RuntimeError, match="saver failed"):
        target.dump(1)
    assert not target.exists()


def test_large_data_frame_chunks_load_back_in_original_order(root: str, tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": np.arange(1200, dtype="float64"), "y": np.arange(1200) % 7})
    frame.index = np.random.default_rng(0).permutation(1200)  # order must come from the chunks, not the index
    processor = LargeDataFrameProcessor(max_byte=1000)
    target = make_model_target(f"{root}/big.zip", str(tmp_path / "s"), processor.save, processor.load)
    target.dump(frame)
    if not root.startswith("memory://"):
        with zipfile.ZipFile(target.path()) as archive:
            names = archive.namelist()
        assert "load_function.pkl" in names
        assert "model.pkl" not in names
        assert len([n for n in names if n.startswith("data_")]) == 1200 * 16 // 1000 + 1
    pd.testing.assert_frame_equal(target.load(), frame)


def test_large_data_frame_with_more_chunks_than_rows(tmp_path: Path) -> None:
    """Upstream raised IndexError when max_byte asked for more chunks than there are rows."""
    frame = pd.DataFrame(np.ones((2, 1000)))
    processor = LargeDataFrameProcessor(max_byte=1000)
    processor.save(frame, str(tmp_path / "model.pkl"))
    assert sorted(os.listdir(tmp_path)) == ["data_0.pkl", "data_1.pkl"]
    pd.testing.assert_frame_equal(LargeDataFrameProcessor.load(str(tmp_path / "model.pkl")), frame)


def test_large_data_frame_empty_frame(tmp_path: Path) -> None:
    processor = LargeDataFrameProcessor(max_byte=1000)
    processor.save(pd.DataFrame(), str(tmp_path / "model.pkl"))
    assert os.listdir(tmp_path) == ["data_0.pkl"]
    assert LargeDataFrameProcessor.load(str(tmp_path / "model.pkl")).empty
