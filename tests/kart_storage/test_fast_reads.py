"""csv / parquet / feather loads hand pandas and pyarrow the stored bytes directly (UTF-8 bytes to the csv
parser, pyarrow's own handle on a local file): they must load exactly what the file-object path loads
(the processor's `load` on the stream its `format()` wraps), and fail as clearly."""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kart_storage
from kart_storage import (
    CorruptTargetError,
    CsvFileProcessor,
    CsvFileProcessorPandas,
    FeatherFileProcessor,
    FileProcessor,
    IntegrityError,
    ParquetFileProcessor,
    TargetNotFoundError,
    make_target,
)
from kart_storage._processors.raw_reads import UniversalNewlines, native_local_file


def _tricky_frame() -> pd.DataFrame:
    """Values whose bytes the fast paths could change: newlines of every kind inside quoted fields,
    separators and quotes inside values, non-ASCII text, missing values, and several dtypes."""
    texts = ["plain", "crlf\r\ninside", "cr\ronly", "lf\nonly", 'quo"te', "a,b\tc;d", "é ü 日本", "", None]
    rows = len(texts) * 3
    return pd.DataFrame(
        {
            "i": np.arange(rows, dtype="int64") - 5,
            "f": [0.5, np.nan, -1e300] * len(texts),
            "b": [True, False, True] * len(texts),
            "s": texts * 3,
            "t": pd.date_range("2024-01-01", periods=rows, freq="h"),
        }
    )


_PROCESSORS: dict[str, FileProcessor] = {
    "csv-comma": CsvFileProcessor(sep=","),
    "csv-tab": CsvFileProcessor(sep="\t"),
    "csv-semicolon-utf8-spelling": CsvFileProcessor(sep=";", encoding="UTF8"),
    "csv-cp932": CsvFileProcessor(sep=",", encoding="cp932"),
    "parquet-plain": ParquetFileProcessor(),
    "parquet-gzip": ParquetFileProcessor(compression="gzip"),
    "parquet-snappy": ParquetFileProcessor(compression="snappy"),
    "feather-index": FeatherFileProcessor(store_index_in_feather=True),
    "feather-no-index": FeatherFileProcessor(store_index_in_feather=False),
}

_INDEXES: dict[str, Any] = {
    "range": None,
    "named-int": pd.Index(np.arange(27) * 10, name="key"),
    "unnamed-str": pd.Index([f"r{i}" for i in range(27)]),
}


def _file_object_load(processor: FileProcessor, path: str) -> Any:
    """What a load was before the fast paths: the processor's `load` on the stream `format()` wraps."""
    with open(path, "rb") as raw, processor.format().reader(raw) as stream:
        return processor.load(stream)


@pytest.mark.parametrize("index", sorted(_INDEXES))
@pytest.mark.parametrize("name", sorted(_PROCESSORS))
def test_fast_local_load_equals_the_file_object_load(tmp_path: Path, name: str, index: str) -> None:
    processor = _PROCESSORS[name]
    frame = _tricky_frame()
    if _INDEXES[index] is not None:
        frame.index = _INDEXES[index]
    if name.startswith("csv-cp932"):
        frame["s"] = frame["s"].replace("é ü 日本", "日本語")  # cp932 has no é
    target = make_target(str(tmp_path / "table.data"), processor=processor)
    target.dump(frame)

    fast = target.load()
    pd.testing.assert_frame_equal(fast, _file_object_load(processor, target.path()))
    with open(target.path(), "rb") as raw:
        pd.testing.assert_frame_equal(processor._load_raw(raw), fast)  # a bare file, no target around it


@pytest.mark.parametrize("name", sorted(_PROCESSORS))
def test_memory_load_equals_the_local_load(tmp_path: Path, name: str) -> None:
    """Streams that are no local file (object stores, memory) take the file-object path where needed."""
    processor = _PROCESSORS[name]
    frame = _tricky_frame()
    if name.startswith("csv-cp932"):
        frame["s"] = frame["s"].replace("é ü 日本", "日本語")
    local = make_target(str(tmp_path / "table.data"), processor=processor)
    memory = make_target(f"memory://fast-{uuid.uuid4().hex}/table.data", processor=processor)
    local.dump(frame)
    memory.dump(frame)
    pd.testing.assert_frame_equal(memory.load(), local.load())


_CSV_FROM_ELSEWHERE = [
    b"a,b\r\n1,x\r\n2,y\r\n",  # Windows line ends
    b"a,b\r1,x\r2,y\r",  # old Mac line ends
    b'a,b\n1,"two\r\nlines"\n2,"cr\ronly"\n',  # carriage returns inside quoted values
    b'\xef\xbb\xbfa,b\n1,"\r"\r\n',  # a byte-order mark, and a lone quoted \r
    b'a,"b\r\nc"\r\n1,2\r\n',  # a header with a line break
    b"a,b\n",  # (a zero-byte csv is never written by kart or gokart: it is refused, see test_truncation)
]


@pytest.mark.parametrize("content", _CSV_FROM_ELSEWHERE)
def test_csv_written_elsewhere_loads_as_through_text_mode(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "foreign.csv"
    path.write_bytes(content)
    pd.testing.assert_frame_equal(
        make_target(str(path)).load(), _file_object_load(CsvFileProcessor(), str(path))
    )


@pytest.mark.filterwarnings("ignore::pandas.errors.ParserWarning")
def test_csv_with_a_separator_for_the_python_parser_keeps_text_mode(tmp_path: Path) -> None:
    path = tmp_path / "foreign.csv"
    path.write_bytes(b'a::b\r\n1::"x\r\ny"\r\n')
    processor = CsvFileProcessor(sep="::")
    loaded = make_target(str(path), processor=processor).load()
    pd.testing.assert_frame_equal(loaded, _file_object_load(processor, str(path)))
    assert loaded.shape == (2, 2)  # that parser ignores quotes: the value's line break splits the row


def _text_mode(content: bytes) -> bytes:
    return io.TextIOWrapper(io.BytesIO(content), encoding="latin-1", newline=None).read().encode("latin-1")


class _Trickle(io.RawIOBase):
    """Hands out at most `step` bytes per read, so line ends fall across every chunk boundary."""

    def __init__(self, content: bytes, step: int) -> None:
        self._content = content
        self._step = step
        self._at = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        take = self._step if size < 0 else min(size, self._step)
        piece = self._content[self._at : self._at + take]
        self._at += len(piece)
        return piece


@settings(max_examples=300, deadline=None)
@given(
    content=st.lists(st.sampled_from([b"a", b"\r", b"\n", b"\r\n", b",", b"\xc3\xa9"]), max_size=40).map(
        b"".join
    ),
    step=st.integers(min_value=1, max_value=7),
)
def test_universal_newlines_translate_as_text_mode_across_chunks(content: bytes, step: int) -> None:
    reader = UniversalNewlines(_Trickle(content, step))
    pieces = []
    while piece := reader.read(step):
        pieces.append(piece)
    assert b"".join(pieces) == _text_mode(content)


def test_native_local_file_is_the_file_the_target_opened(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(path)
    with open(path, "rb") as raw:
        native = native_local_file(raw)
        assert native is not None
        native.close()
        raw.read(1)
        assert native_local_file(raw) is None  # already partly read: only raw knows its position
    with open(path, "rb") as raw:
        replacement = tmp_path / "y.parquet"
        pd.DataFrame({"a": [2]}).to_parquet(replacement)
        os.replace(replacement, path)  # the path now names another file than the one raw opened
        assert native_local_file(raw) is None
        pd.testing.assert_frame_equal(ParquetFileProcessor()._load_raw(raw), pd.DataFrame({"a": [1]}))
    assert native_local_file(io.BytesIO(path.read_bytes())) is None


class _UpperCsv(CsvFileProcessor):
    def load(self, file: IO[Any]) -> Any:
        frame = super().load(file)
        frame.columns = [str(c).upper() for c in frame.columns]
        return frame


class _RawCsv(CsvFileProcessorPandas):
    def load(self, file: IO[Any]) -> Any:
        return file.read()


def test_subclasses_overriding_load_are_still_called(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1, 2]})
    upper = make_target(str(tmp_path / "u.csv"), processor=_UpperCsv())
    upper.dump(frame)
    assert list(upper.load().columns) == ["A"]
    text = make_target(str(tmp_path / "t.csv"), processor=_RawCsv())
    text.dump(frame)
    assert text.load() == "a\n1\n2\n"  # their load still gets the text stream


def _truncate(path: str) -> None:
    with open(path, "rb+") as file:
        file.truncate(os.path.getsize(path) // 2)


@pytest.mark.parametrize("name", ["t.parquet", "t.feather", "t.csv"])
def test_damaged_files_raise_the_kart_error_naming_the_path(tmp_path: Path, name: str) -> None:
    target = make_target(str(tmp_path / name))
    target.dump(pd.DataFrame({"a": np.arange(1000), "s": ["x"] * 1000}))
    if name.endswith(".csv"):
        with open(target.path(), "ab") as file:
            file.write(b'\xff\xfe,"unterminated\n')
    else:
        _truncate(target.path())
    with pytest.raises(CorruptTargetError, match=str(tmp_path / name)):
        target.load()


@pytest.mark.parametrize("name", ["m.parquet", "m.feather", "m.csv"])
def test_missing_files_raise_target_not_found(tmp_path: Path, name: str) -> None:
    with pytest.raises(TargetNotFoundError):
        make_target(str(tmp_path / name)).load()


@pytest.mark.parametrize("name", ["v.parquet", "v.feather", "v.csv"])
def test_verified_loads_take_the_fast_path_after_the_check(tmp_path: Path, name: str) -> None:
    frame = _tricky_frame()
    target = make_target(str(tmp_path / name), verify_integrity=True)
    target.dump(frame)
    processor = kart_storage.make_file_processor(target.path())
    pd.testing.assert_frame_equal(target.load(), _file_object_load(processor, target.path()))
    with open(target.path(), "rb+") as file:
        file.seek(-3, os.SEEK_END)
        file.write(b"\x00\x00\x00")
    with pytest.raises(IntegrityError):
        target.load()
