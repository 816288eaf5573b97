"""Truncated and zero-byte files without integrity checks (issue #17, "Also fix").

Each format x (zero bytes, cut inside a row, cut at a line end), with the outcome kart promises:
CorruptTargetError naming the path where the file's own shape shows the damage (a zero-byte file of a
format whose writers never write one; a csv/tsv cut mid-row, since they always end with a newline; json,
ndjson and gzip whose parsers see the cut), and a silent short load where nothing in the bytes can tell
(a cut at a line end, a txt cut anywhere): only `verify_integrity` catches those. What the README of
kart-storage says under "What a load notices without integrity checks" is what is checked here.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest

import kart_storage
from _upstream import run_upstream
from kart_storage import CorruptTargetError, IntegrityError, make_target
from kart_storage._processors._tail_checks import TailRule, csv_rule

_ROWS = {"a": [1, 22, 333], "b": ["x", "y,z", 'w"q'], "c": [1.5, None, 3.25]}
#: (extension, dataframe type): the line formats whose rows are lines
_TABLES = [(ext, kind) for ext in (".csv", ".tsv", ".ndjson") for kind in ("pandas", "polars")]


def _frame(kind: str) -> Any:
    return pl.DataFrame(_ROWS) if kind == "polars" else pd.DataFrame(_ROWS)


def _dumped(tmp_path: Path, name: str, obj: Any, kind: str = "pandas", **options: Any) -> tuple[Any, bytes]:
    target = make_target(str(tmp_path / name), dataframe_type=kind, **options)
    target.dump(obj)
    return target, Path(target.path()).read_bytes()


def _cut(target: Any, content: bytes) -> None:
    Path(target.path()).write_bytes(content)


def _rows(loaded: Any) -> int:
    return int(loaded.shape[0])


def _refused(target: Any) -> CorruptTargetError:
    with pytest.raises(CorruptTargetError) as raised:
        target.load()
    assert target.path() in str(raised.value)
    return raised.value


# --- zero bytes ----------------------------------------------------------------------------------------

_NEVER_EMPTY: list[tuple[str, str, Any]] = [
    (".csv", "pandas", pd.DataFrame()),
    (".tsv", "pandas", pd.DataFrame()),
    (".csv", "polars", pl.DataFrame()),
    (".tsv", "polars", pl.DataFrame()),
    (".json", "pandas", pd.DataFrame()),
    (".json", "polars", pl.DataFrame()),
    (".gz", "pandas", []),
    (".pkl", "pandas", []),
    (".parquet", "pandas", pd.DataFrame()),
    (".feather", "pandas", pd.DataFrame()),
]


@pytest.mark.parametrize(
    ("ext", "kind", "empty"), _NEVER_EMPTY, ids=lambda v: str(v) if isinstance(v, str) else ""
)
def test_a_zero_byte_file_is_refused_where_the_writers_never_write_one(
    tmp_path: Path, ext: str, kind: str, empty: Any
) -> None:
    target, written = _dumped(tmp_path, f"t{ext}", empty, kind)
    assert written != b""  # even the emptiest object is written as some bytes
    _cut(target, b"")
    message = str(_refused(target))
    if ext in (".csv", ".tsv", ".json", ".gz"):  # seen before decoding: says what was expected
        assert "empty (0 bytes)" in message


@pytest.mark.parametrize(
    ("ext", "kind", "empty", "loaded"),
    [
        (".ndjson", "polars", pl.DataFrame(), pl.DataFrame()),  # polars writes an empty frame as b""
        (".ndjson", "pandas", pd.DataFrame(), pd.DataFrame()),  # ...and pandas may read polars' file
        (".txt", "pandas", [], []),
        (".png", "pandas", b"", b""),
    ],
    ids=["ndjson-polars", "ndjson-pandas", "txt", "png"],
)
def test_a_zero_byte_file_loads_empty_where_an_empty_dump_may_be_zero_bytes(
    tmp_path: Path, ext: str, kind: str, empty: Any, loaded: Any
) -> None:
    target, _ = _dumped(tmp_path, f"t{ext}", empty, kind)
    _cut(target, b"")
    result = target.load()
    if isinstance(loaded, pd.DataFrame | pl.DataFrame):
        assert _rows(result) == 0
    else:
        assert result == loaded
    # some writer of the format writes an empty object as no bytes: a zero-byte file may be intact
    writer_kind, writer_empty = ("polars", pl.DataFrame()) if ext == ".ndjson" else (kind, empty)
    assert _dumped(tmp_path, f"e{ext}", writer_empty, writer_kind)[1] == b""


def test_a_zero_byte_xml_loads_as_an_empty_tree(tmp_path: Path) -> None:
    path = tmp_path / "t.xml"
    path.write_bytes(b"")
    assert make_target(str(path)).load().getroot() is None  # as before (documented in the README)


# --- cuts inside a row ---------------------------------------------------------------------------------


def _inside_a_row(content: bytes, cut: int, ext: str) -> bool:
    """Whether `content[:cut]` ends inside a row; for ndjson a row missing only its newline is whole."""
    kept = content[:cut]
    if cut == 0 or kept.endswith(b"\n"):
        return False
    return not (ext == ".ndjson" and content[cut : cut + 1] == b"\n")


@pytest.mark.parametrize(("ext", "kind"), _TABLES)
def test_every_cut_inside_a_row_is_refused(tmp_path: Path, ext: str, kind: str) -> None:
    target, full = _dumped(tmp_path, f"t{ext}", _frame(kind), kind)
    cuts = [cut for cut in range(1, len(full)) if _inside_a_row(full, cut, ext)]
    assert len(cuts) > 20
    for cut in cuts:
        _cut(target, full[:cut])
        with pytest.raises(CorruptTargetError, match=str(tmp_path)):
            target.load()


@pytest.mark.parametrize("kind", ["pandas", "polars"])
def test_a_csv_cut_mid_row_names_the_cause(tmp_path: Path, kind: str) -> None:
    target, full = _dumped(tmp_path, "t.csv", _frame(kind), kind)
    _cut(target, full[:-3])
    assert "cut in the middle of its last row" in str(_refused(target))


@pytest.mark.parametrize("kind", ["pandas", "polars"])
def test_a_csv_cut_just_after_a_line_break_inside_quotes_is_refused(tmp_path: Path, kind: str) -> None:
    rows = {"a": [1, 2], "b": ["two\nlines", "z"]}
    obj = pl.DataFrame(rows) if kind == "polars" else pd.DataFrame(rows)
    target, full = _dumped(tmp_path, "q.csv", obj, kind)
    _cut(target, full[: full.index(b"two\n") + 4])  # ends with a newline, inside an open quote
    _refused(target)


@pytest.mark.parametrize("kind", ["pandas", "polars"])
def test_every_cut_of_a_json_file_is_refused(tmp_path: Path, kind: str) -> None:
    target, full = _dumped(tmp_path, "t.json", _frame(kind), kind)
    for cut in range(len(full)):
        _cut(target, full[:cut])
        with pytest.raises(CorruptTargetError):
            target.load()


@pytest.mark.parametrize(
    "lines", [["alpha", "beta", "gamma"], [], "one string"], ids=["lines", "empty", "str"]
)
def test_every_cut_of_a_gzip_file_is_refused(tmp_path: Path, lines: Any) -> None:
    """The gzip trailer (CRC and size) is written last: any cut of the compressed stream is seen."""
    target, full = _dumped(tmp_path, "t.gz", lines)
    assert target.load() == (lines if isinstance(lines, list) else [lines])
    for cut in range(len(full)):
        _cut(target, full[:cut])
        with pytest.raises(CorruptTargetError, match=str(tmp_path)):
            target.load()


@pytest.mark.parametrize("ext", [".pkl", ".parquet", ".feather", ".npz"])
def test_binary_formats_refuse_a_cut_anywhere(tmp_path: Path, ext: str) -> None:
    import numpy as np

    obj = np.arange(50) if ext == ".npz" else pd.DataFrame(_ROWS)
    target, full = _dumped(tmp_path, f"t{ext}", obj)
    for cut in sorted({0, 1, len(full) // 3, len(full) // 2, len(full) - 1}):
        _cut(target, full[:cut])
        _refused(target)


# --- what only verify_integrity catches ------------------------------------------------------------


@pytest.mark.parametrize(("ext", "kind"), _TABLES)
def test_a_cut_at_a_line_end_loads_fewer_rows_unless_integrity_is_checked(
    tmp_path: Path, ext: str, kind: str
) -> None:
    plain, full = _dumped(tmp_path, f"plain{ext}", _frame(kind), kind)
    sealed, _ = _dumped(tmp_path, f"sealed{ext}", _frame(kind), kind, verify_integrity=True)
    first_two = full[: [i for i, byte in enumerate(full) if byte == ord("\n")][-2] + 1]
    _cut(plain, first_two)
    _cut(sealed, first_two)
    assert _rows(plain.load()) == 2  # nothing in the bytes says a row is missing
    with pytest.raises(IntegrityError, match="truncated or altered"):
        sealed.load()


def test_a_txt_file_cut_anywhere_loads_wrong_data_unless_integrity_is_checked(tmp_path: Path) -> None:
    """txt keeps `str(obj)` without a final newline and a list as lines: no end is ever a sure sign."""
    plain, full = _dumped(tmp_path, "plain.txt", ["alpha", "beta", "gamma"])
    sealed, _ = _dumped(tmp_path, "sealed.txt", ["alpha", "beta", "gamma"], verify_integrity=True)
    assert _dumped(tmp_path, "str.txt", "no newline")[1] == b"no newline"
    for cut, loaded in [(8, ["alpha", "be"]), (11, ["alpha", "beta"]), (0, [])]:
        _cut(plain, full[:cut])
        _cut(sealed, full[:cut])
        assert plain.load() == loaded
        with pytest.raises(IntegrityError):
            sealed.load()


def test_a_zero_byte_ndjson_is_refused_under_integrity(tmp_path: Path) -> None:
    sealed, _ = _dumped(tmp_path, "t.ndjson", pd.DataFrame(_ROWS), verify_integrity=True)
    _cut(sealed, b"")
    with pytest.raises(IntegrityError):
        sealed.load()


# --- other stores, other writers -------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"a,b\n1,x\n2,"], ids=["zero-byte", "cut-mid-row"])
def test_object_store_reads_are_checked_too(content: bytes) -> None:
    path = f"memory://truncation-{len(content)}/t.csv"
    target = make_target(path)
    target.dump(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}))
    with kart_storage.filesystem_for(path).open_write(path) as stream:
        stream.write(content)
    _refused(target)


def test_a_csv_written_elsewhere_with_other_line_ends_still_loads(tmp_path: Path) -> None:
    for name, content in [("win.csv", b"a,b\r\n1,x\r\n"), ("mac.csv", b"a,b\r1,x\r")]:
        (tmp_path / name).write_bytes(content)
        assert _rows(make_target(str(tmp_path / name)).load()) == 1


def test_a_processor_with_its_own_dump_is_not_held_to_kart_writers_rules(tmp_path: Path) -> None:
    class NoFinalNewline(kart_storage.CsvFileProcessor):
        def dump(self, obj: Any, file: Any) -> None:
            file.write(obj.to_csv(index=False).rstrip("\n"))

    target = make_target(str(tmp_path / "own.csv"), processor=NoFinalNewline())
    target.dump(pd.DataFrame({"a": [1, 2]}))
    assert Path(target.path()).read_bytes() == b"a\n1\n2"
    assert _rows(target.load()) == 2


class _CountingReader(io.BytesIO):
    read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.read_bytes += len(data)
        return data


def test_the_check_reads_one_byte_and_leaves_the_stream_where_it_was() -> None:
    stream = _CountingReader(b"a,b\n" + b"1,x\n" * 100_000)
    assert csv_rule(",", "utf-8").damage(stream) is None
    assert stream.read_bytes == 1
    assert stream.tell() == 0
    stream.seek(4)
    assert TailRule("csv", never_empty="a newline", line_ended=True).damage(stream) is None
    assert stream.tell() == 4


def test_utf16_csv_is_checked_for_zero_bytes_only(tmp_path: Path) -> None:
    assert csv_rule(",", "utf-16").line_ended is False
    assert csv_rule(",", "latin-1").line_ended is True
    processor = kart_storage.CsvFileProcessor(encoding="utf-16")
    target = make_target(str(tmp_path / "wide.csv"), processor=processor)
    target.dump(pd.DataFrame({"a": [1, 2]}))
    assert _rows(target.load()) == 2
    _cut(target, b"")
    _refused(target)


_UPSTREAM_WRITES = r"""
import json, os, sys
import pandas as pd, polars as pl
from gokart.file_processor import make_file_processor
from gokart.target import make_target

out = sys.argv[1]
rows = {"a": [1, 2], "b": ["x", "two\nlines"]}
objects = {
    "full.csv": (pd.DataFrame(rows), "pandas"), "empty.csv": (pd.DataFrame(), "pandas"),
    "full.tsv": (pd.DataFrame(rows), "pandas"), "empty.tsv": (pd.DataFrame(), "pandas"),
    "polars.csv": (pl.DataFrame(rows), "polars"), "polars_empty.csv": (pl.DataFrame(), "polars"),
    "full.ndjson": (pd.DataFrame(rows), "pandas"), "empty.ndjson": (pd.DataFrame(), "pandas"),
    "polars_empty.ndjson": (pl.DataFrame(), "polars"),
    "full.json": (pd.DataFrame(rows), "pandas"), "empty.json": (pd.DataFrame(), "pandas"),
    "polars_empty.json": (pl.DataFrame(), "polars"),
    "lines.txt": (["a", "b"], "pandas"), "empty.txt": ([], "pandas"), "str.txt": ("no newline", "pandas"),
    "lines.gz": (["a", "b"], "pandas"), "empty.gz": ([], "pandas"),
}
for name, (obj, kind) in objects.items():
    path = os.path.join(out, name)
    make_target(path, processor=make_file_processor(path, dataframe_type=kind)).dump(obj)
print(json.dumps(sorted(objects)))
"""


def test_files_written_by_upstream_gokart_still_load(tmp_path: Path) -> None:
    out = tmp_path / "upstream"
    out.mkdir()
    run_upstream(_UPSTREAM_WRITES, str(out))
    names = sorted(os.listdir(out))
    assert len(names) == 17
    loaded = {name: make_target(str(out / name)).load() for name in names}
    assert _rows(loaded["full.csv"]) == 2
    assert _rows(loaded["polars_empty.ndjson"]) == 0
    assert loaded["str.txt"] == ["no newline"]
    assert loaded["empty.gz"] == []
