"""Every format round-trips through make_target on local disk and in memory, with gokart's options."""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest

import kart_storage
from kart_storage import (
    CsvFileProcessor,
    FeatherFileProcessor,
    ParquetFileProcessor,
    make_target,
)


@pytest.fixture(params=["local", "memory"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "local":
        return str(tmp_path)
    return f"memory://formats-{uuid.uuid4().hex}"


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"i": [1, 2, 3], "f": [0.5, None, 2.5], "s": ["a", "é", "c"]})


def _same(expected: Any) -> Callable[[Any], None]:
    def check(loaded: Any) -> None:
        assert loaded == expected

    return check


def _same_frame(expected: pd.DataFrame, *, keep_index: bool) -> Callable[[Any], None]:
    def check(loaded: Any) -> None:
        want = expected if keep_index else expected.reset_index(drop=True)
        pd.testing.assert_frame_equal(loaded, want)

    return check


_NAMED = _frame().set_index(pd.Index([10, 20, 30], name="key"))

_CASES: dict[str, tuple[Any, Callable[[Any], None]]] = {
    "obj.pkl": (
        {"a": [1, 2], "frame": _NAMED},
        lambda got: pd.testing.assert_frame_equal(got["frame"], _NAMED),
    ),
    "lines.txt": (["x", 1, "y  "], _same(["x", "1", "y"])),
    "scalar.txt": ("one\ntwo", _same(["one", "two"])),
    "conf.ini": (["[s]", "k=v"], _same(["[s]", "k=v"])),
    "table.csv": (_NAMED, _same_frame(_NAMED, keep_index=False)),
    "table.tsv": (_NAMED, _same_frame(_NAMED, keep_index=False)),
    "lines.gz": (["a", "b", "ü"], _same(["a", "b", "ü"])),
    "rows.ndjson": (_frame(), _same_frame(_frame(), keep_index=False)),
    "array.npz": (
        np.arange(6).reshape(2, 3),
        lambda got: np.testing.assert_array_equal(got, np.arange(6).reshape(2, 3)),
    ),
    "table.parquet": (_NAMED, _same_frame(_NAMED, keep_index=False)),
    "table.feather": (_NAMED, _same_frame(_NAMED, keep_index=True)),
    "image.png": (b"\x89PNG\r\n", _same(b"\x89PNG\r\n")),
    "photo.jpg": (bytearray(b"\xff\xd8"), _same(b"\xff\xd8")),
}


@pytest.mark.parametrize("name", sorted(_CASES))
def test_every_format_round_trips(root: str, name: str) -> None:
    obj, check = _CASES[name]
    target = make_target(f"{root}/sub/{name}")
    assert not target.exists()
    target.dump(obj)
    assert target.exists()
    check(target.load())


def test_json_keeps_the_index_as_keys(root: str) -> None:
    target = make_target(f"{root}/t.json")
    target.dump(pd.DataFrame({"a": [1, 2]}, index=[5, 6]))
    pd.testing.assert_frame_equal(target.load(), pd.DataFrame({"a": [1, 2]}, index=[5, 6]))
    dict_target = make_target(f"{root}/d.json")
    dict_target.dump({"a": {"x": 1}})
    assert dict_target.load().to_dict() == {"a": {"x": 1}}


def test_xml_dump_works_and_escapes_non_ascii(root: str) -> None:
    """Upstream's XML dump always raised; ours writes what ElementTree.write emits to a binary file."""
    tree = ET.ElementTree(ET.fromstring("<root><item k='v'>é</item></root>"))
    target = make_target(f"{root}/tree.xml")
    target.dump(tree)
    buffer = io.BytesIO()
    tree.write(buffer)
    with kart_storage.filesystem_for(target.path()).open_read(target.path()) as stored:
        assert stored.read() == buffer.getvalue() == b'<root><item k="v">&#233;</item></root>'
    loaded = target.load()
    assert loaded.getroot()[0].text == "é"


def test_empty_files_load_as_empty_objects_or_are_refused(root: str) -> None:
    """A zero-byte csv or json was never written so (an empty frame is `\\n` / `{}`): it was truncated
    (issue #17; every format in test_truncation.py). A zero-byte xml loads as an empty tree."""
    filesystem = kart_storage.filesystem_for(f"{root}/x")
    for name in ("e.csv", "e.json", "e.xml"):
        with filesystem.open_write(f"{root}/{name}") as stream:
            stream.write(b"")
    for name in ("e.csv", "e.json"):
        with pytest.raises(kart_storage.CorruptTargetError, match="empty"):
            make_target(f"{root}/{name}").load()
    assert make_target(f"{root}/e.xml").load().getroot() is None


def test_csv_encoding_option_round_trips_cp932(root: str) -> None:
    frame = pd.DataFrame({"名前": ["山田", "佐藤"]})
    target = make_target(f"{root}/jp.csv", processor=CsvFileProcessor(encoding="cp932"))
    target.dump(frame)
    with kart_storage.filesystem_for(target.path()).open_read(target.path()) as stored:
        assert stored.read() == "名前\n山田\n佐藤\n".encode("cp932")
    pd.testing.assert_frame_equal(target.load(), frame)


def test_series_csv_has_its_name_as_header(root: str) -> None:
    target = make_target(f"{root}/s.csv")
    target.dump(pd.Series([1, 2], name="n"))
    pd.testing.assert_frame_equal(target.load(), pd.DataFrame({"n": [1, 2]}))


def test_feather_index_round_trip_and_opt_out(root: str) -> None:
    unnamed = pd.DataFrame({"a": [1, 2]}, index=pd.Index(["x", "y"]))
    target = make_target(f"{root}/u.feather")
    target.dump(unnamed)
    pd.testing.assert_frame_equal(target.load(), unnamed)

    raw = make_target(f"{root}/u.feather", processor=FeatherFileProcessor(store_index_in_feather=False))
    assert list(raw.load().columns) == ["a", "__feather_gokart_index__None"]

    no_index = make_target(f"{root}/n.feather", store_index_in_feather=False)
    no_index.dump(pd.DataFrame({"a": [1, 2]}))
    assert list(no_index.load().columns) == ["a"]

    with pytest.raises(AssertionError, match="None"):
        make_target(f"{root}/bad.feather").dump(pd.DataFrame({"a": [1]}, index=pd.Index([0], name="None")))


def test_parquet_compression_and_engine_options(tmp_path: Path) -> None:
    default = make_target(str(tmp_path / "d.parquet"))
    default.dump(_frame())
    assert pq.ParquetFile(default.path()).metadata.row_group(0).column(0).compression == "GZIP"
    plain = make_target(str(tmp_path / "p.parquet"), processor=ParquetFileProcessor(compression=None))
    plain.dump(_frame())
    assert pq.ParquetFile(plain.path()).metadata.row_group(0).column(0).compression == "UNCOMPRESSED"
    pd.testing.assert_frame_equal(plain.load(), _frame())


_POLARS_FRAME = {"a": [1, 2, 3], "b": ["x", "y", "z"]}


@pytest.mark.parametrize("name", ["p.csv", "p.tsv", "p.json", "p.ndjson", "p.parquet", "p.feather"])
@pytest.mark.parametrize("dataframe_type", ["polars", "polars-lazy"])
def test_polars_formats_round_trip(root: str, name: str, dataframe_type: str) -> None:
    target = make_target(f"{root}/{name}", dataframe_type=dataframe_type)
    target.dump(pl.DataFrame(_POLARS_FRAME).lazy())
    loaded = target.load()
    if dataframe_type == "polars-lazy":
        assert isinstance(loaded, pl.LazyFrame)
        loaded = loaded.collect()
    assert isinstance(loaded, pl.DataFrame)
    assert loaded.to_dict(as_series=False) == _POLARS_FRAME


def test_polars_files_load_with_pandas(root: str) -> None:
    for name in ("q.csv", "q.parquet", "q.feather", "q.ndjson"):
        make_target(f"{root}/{name}", dataframe_type="polars").dump(pl.DataFrame(_POLARS_FRAME))
        loaded = make_target(f"{root}/{name}").load()
        pd.testing.assert_frame_equal(loaded, pd.DataFrame(_POLARS_FRAME), check_dtype=False)


def test_pandas_and_polars_reject_each_others_frames(root: str) -> None:
    with pytest.raises(TypeError, match=r"pl\.DataFrame or pl\.LazyFrame"):
        make_target(f"{root}/x.parquet", dataframe_type="polars").dump(_frame())
    with pytest.raises(TypeError, match=r"pd\.DataFrame"):
        make_target(f"{root}/x.parquet").dump(pl.DataFrame(_POLARS_FRAME))


def test_unique_id_goes_before_the_last_extension(root: str) -> None:
    target = make_target(f"{root}/dir/model.tar.gz", unique_id="abc")
    assert target.path() == f"{root}/dir/model.tar_abc.gz"
    target.dump(["x"])
    assert target.load() == ["x"]


@pytest.mark.parametrize("dataframe_type", ["polars", "polars-lazy"])
def test_polars_csv_with_a_non_utf8_encoding(root: str, dataframe_type: str) -> None:
    processor = CsvFileProcessor(encoding="cp932", dataframe_type=dataframe_type)
    target = make_target(f"{root}/jp.csv", processor=processor)
    target.dump(pl.DataFrame({"名前": ["山田", "佐藤"]}))
    with kart_storage.filesystem_for(target.path()).open_read(target.path()) as stored:
        assert stored.read() == "名前\n山田\n佐藤\n".encode("cp932")
    loaded = target.load()
    if isinstance(loaded, pl.LazyFrame):
        loaded = loaded.collect()
    assert loaded.to_dict(as_series=False) == {"名前": ["山田", "佐藤"]}
