"""A local UTF-8 csv is parsed by pandas from a path naming the file the target opened (pandas reads a
path on two threads), and read again the text-mode way when a value or a name holds a carriage return,
so every load equals gokart's text-mode read."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kart_storage import CsvFileProcessor, make_target
from kart_storage._processors import pandas as pandas_processors
from kart_storage._processors._csv_returns import _arrow_strings_have_carriage_return, has_carriage_return
from kart_storage._processors.raw_reads import reopened_path


def _text_mode_load(path: Path, sep: str = ",") -> pd.DataFrame:
    """gokart's read: the file in text mode (universal newlines) handed to pandas."""
    with open(path, encoding="utf-8") as text:
        return pd.read_csv(text, sep=sep)


def _sources(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What each `pd.read_csv` call of the csv processor was given."""
    given: list[Any] = []
    real = pandas_processors.pd.read_csv

    def spy(source: Any, *args: Any, **kwargs: Any) -> Any:
        given.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(pandas_processors.pd, "read_csv", spy)
    return given


def _load_equals_text_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes) -> list[Any]:
    """Load a csv holding `content` through its target, check it equals gokart's text-mode read, and
    return what the processor handed `pd.read_csv`."""
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    expected = _text_mode_load(path)
    given = _sources(monkeypatch)
    pd.testing.assert_frame_equal(make_target(str(path)).load(), expected)
    return given


_CLEAN = [
    b"a,b\n1,x\n2,y\n",
    b"a,b\r\n1,x\r\n2,y\r\n",  # Windows line ends, none inside quotes
    b"a,b\r1,x\r2,y\r",  # old Mac line ends
    b'a,b\n1,"two\nlines"\n2,"x,y"\n',  # a line feed inside quotes is kept by both reads
    "a,b\n1,é 日本\n".encode(),
]


@pytest.mark.parametrize("content", _CLEAN)
def test_a_csv_without_quoted_carriage_returns_is_parsed_from_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    given = _load_equals_text_mode(tmp_path, monkeypatch, content)

    assert len(given) == 1
    assert isinstance(given[0], str)
    assert given[0].startswith("/proc/self/fd/")


_QUOTED_RETURNS = [
    b'a,b\n1,"two\r\nlines"\n2,"cr\ronly"\n',
    b'a,"b\r\nc"\r\n1,2\r\n',  # in a column name
    b'\xef\xbb\xbfa,b\n1,"\r"\r\n',
]


@pytest.mark.parametrize("content", _QUOTED_RETURNS)
def test_a_quoted_carriage_return_is_read_again_through_text_mode_newlines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    given = _load_equals_text_mode(tmp_path, monkeypatch, content)

    assert [isinstance(source, str) for source in given] == [True, False]  # the path, then the stream


def test_a_tab_separated_file_takes_the_path_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pd.DataFrame({"i": np.arange(50), "s": [f"v{i}" for i in range(50)], "f": np.linspace(0, 1, 50)})
    target = make_target(str(tmp_path / "t.tsv"), processor=CsvFileProcessor(sep="\t"))
    target.dump(frame)
    expected = _text_mode_load(Path(target.path()), sep="\t")
    given = _sources(monkeypatch)

    pd.testing.assert_frame_equal(target.load(), expected)
    assert len(given) == 1
    assert isinstance(given[0], str)


def test_the_path_names_the_file_the_target_opened_not_its_name(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"a\n1\n")
    with open(path, "rb") as raw:
        named = reopened_path(raw)
        assert named is not None
        replacement = tmp_path / "new.csv"
        replacement.write_bytes(b"a\n2\n")
        os.replace(replacement, path)  # a writer publishes a new version meanwhile
        assert pd.read_csv(named)["a"].tolist() == [1]
        assert raw.read() == b"a\n1\n"  # the target's own stream did not move


def test_no_path_for_streams_that_are_no_file_or_were_read_from(tmp_path: Path) -> None:
    assert reopened_path(io.BytesIO(b"a\n1\n")) is None
    path = tmp_path / "t.csv"
    path.write_bytes(b"a\n1\n")
    with open(path, "rb") as raw:
        raw.read(1)
        assert reopened_path(raw) is None


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5]}), False),
        (pd.DataFrame({"a\rb": [1]}), True),
        (pd.DataFrame({"s": pd.array(["x", "y\rz"], dtype="string[pyarrow]")}), True),
        (pd.DataFrame({"s": pd.array(["x", "yz", None], dtype="string[pyarrow]")}), False),
        (pd.DataFrame({"s": pd.array(["x", "y\rz"], dtype="string[python]")}), True),
        (pd.DataFrame({"o": pd.Series([1, "a\r", 2.5], dtype=object)}), True),
        (pd.DataFrame({"o": pd.Series([1, "a", None], dtype=object)}), False),
        (pd.DataFrame({"t": pd.date_range("2024-01-01", periods=2), "b": [True, False]}), False),
    ],
    ids=["numbers", "name", "arrow", "arrow-clean", "python-strings", "object", "object-clean", "dates"],
)
def test_carriage_returns_are_found_in_every_kind_of_column(frame: pd.DataFrame, expected: bool) -> None:
    assert has_carriage_return(frame) is expected


def test_arrow_strings_are_scanned_in_their_buffers() -> None:
    """pandas 3's default strings are answered from pyarrow's data buffers, not value by value."""
    dirty = pd.Series(pd.array(["x", "y\rz", None], dtype="string[pyarrow]"))
    clean = pd.Series(pd.array(["x", "yz", None], dtype="string[pyarrow]"))
    assert _arrow_strings_have_carriage_return(dirty) is True
    assert _arrow_strings_have_carriage_return(clean) is False
    assert _arrow_strings_have_carriage_return(pd.Series(["a\r"], dtype=object)) is None
