"""Fuzzing every registered processor through its target: random and damaged bytes at load (pickles:
cut, or changed under verify_integrity), random objects at dump. Load either returns or raises
CorruptTargetError naming the file; dump either
publishes or raises TypeError (AssertionError for gokart's reserved feather index name) and publishes
nothing. Hypothesis deadlines catch hangs; pytest-timeout bounds each test."""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.extra import pandas as hpd

from kart_storage import (
    CorruptTargetError,
    FileProcessor,
    MemoryFileSystem,
    PickleFileProcessor,
    SingleFileTarget,
    UntrustedPickleError,
    has_polars,
    make_file_processor,
    make_target,
    supported_extensions,
)

_DATAFRAME_EXTENSIONS = {".csv", ".tsv", ".json", ".ndjson", ".parquet", ".feather"}


def _cases() -> list[tuple[str, str]]:
    """(extension, dataframe_type) for everything registered: new registrations are fuzzed too."""
    cases = [(extension, "pandas") for extension in supported_extensions()]
    if has_polars():
        cases += [
            (extension, "polars")
            for extension in supported_extensions()
            if extension in _DATAFRAME_EXTENSIONS
        ]
    return cases


def _unpickles(extension: str, dataframe_type: str) -> bool:
    return make_file_processor(f"x{extension}", dataframe_type=dataframe_type).unpickles


CASES = _cases()
#: formats whose parser checks what it reads. An unpickler runs whatever the bytes say: one changed byte
#: can ask it for a memo of billions of entries (gigabytes, a minute) before it fails, so changed and
#: random pickles are only fuzzed sealed (verify_integrity), and plain ones only cut.
PARSED_CASES = [case for case in CASES if not _unpickles(*case)]
PICKLE_CASES = [case for case in CASES if _unpickles(*case)]
FUZZ = settings(
    max_examples=60,
    deadline=2000,  # ms per example: a parser that loops shows up as a deadline failure
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=False,
)


def _target(extension: str, dataframe_type: str, filesystem: MemoryFileSystem) -> SingleFileTarget:
    processor: FileProcessor = make_file_processor(f"x{extension}", dataframe_type=dataframe_type)
    return SingleFileTarget(f"memory://fuzz/x{extension}", processor, filesystem=filesystem)


def _store(filesystem: MemoryFileSystem, path: str, content: bytes) -> None:
    with filesystem.open_write(path) as stream:
        stream.write(content)


def _load_or_corrupt(target: SingleFileTarget) -> None:
    """Loading returns, or raises CorruptTargetError (ImportError when a damaged pickle names a module
    that does not exist), naming the file either way."""
    failure: Exception | None = None
    try:
        target.load()
    except (CorruptTargetError, ImportError) as error:
        failure = error
    if failure is not None:
        assert target.path() in str(failure)
        assert isinstance(failure, CorruptTargetError) or target.processor.unpickles


_SAMPLES: dict[str, Callable[[], Any]] = {
    ".txt": lambda: ["alpha", "beta"],
    ".ini": lambda: ["[section]", "key = value"],
    ".csv": lambda: pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}),
    ".tsv": lambda: pd.DataFrame({"a": [1.5, 2.5], "b": ["x", "y"]}),
    ".pkl": lambda: {"list": [1, 2, 3], "frame": pd.DataFrame({"a": [1]})},
    ".gz": lambda: ["compressed", "lines"],
    ".json": lambda: pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}),
    ".ndjson": lambda: pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}),
    ".xml": lambda: ET.ElementTree(ET.fromstring("<a><b c='1'>text</b></a>")),
    ".npz": lambda: np.arange(64, dtype=np.float64).reshape(8, 8),
    ".parquet": lambda: pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}),
    ".feather": lambda: pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}),
    ".png": lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(64)),
    ".jpg": lambda: b"\xff\xd8\xff" + bytes(range(64)),
}


def _valid_bytes(extension: str, dataframe_type: str) -> bytes:
    filesystem = MemoryFileSystem()
    target = _target(extension, dataframe_type, filesystem)
    sample = _SAMPLES.get(extension, lambda: b"custom")()
    if dataframe_type == "polars":
        import polars as pl

        sample = pl.from_pandas(sample)
    target.dump(sample)
    with filesystem.open_read(target.path()) as stream:
        return stream.read()


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("extension", "dataframe_type"), PARSED_CASES)
@FUZZ
@given(content=st.binary(max_size=2048))
def test_random_bytes_load_or_raise_corrupt(extension: str, dataframe_type: str, content: bytes) -> None:
    filesystem = MemoryFileSystem()
    target = _target(extension, dataframe_type, filesystem)
    _store(filesystem, target.path(), content)
    _load_or_corrupt(target)
    with filesystem.open_read(target.path()) as stream:
        assert stream.read() == content  # loading never changes what is stored


@st.composite
def _damage(draw: st.DrawFn, content: bytes) -> bytes:
    """Truncation, byte flips, insertions and deletions of a valid file: deeper into the parsers."""
    data = bytearray(content)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "truncate":
            del data[position:]
        elif kind == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
        elif data:
            del data[position : position + draw(st.integers(1, 16))]
    return bytes(data)


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("extension", "dataframe_type"), PARSED_CASES)
@FUZZ
@given(data=st.data())
def test_damaged_valid_files_load_or_raise_corrupt(
    extension: str, dataframe_type: str, data: st.DataObject
) -> None:
    content = data.draw(_damage(_valid_bytes(extension, dataframe_type)))
    filesystem = MemoryFileSystem()
    target = _target(extension, dataframe_type, filesystem)
    _store(filesystem, target.path(), content)
    _load_or_corrupt(target)


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("extension", "dataframe_type"), PICKLE_CASES)
@FUZZ
@given(data=st.data())
def test_cut_pickles_load_or_raise_corrupt(extension: str, dataframe_type: str, data: st.DataObject) -> None:
    valid = _valid_bytes(extension, dataframe_type)
    content = valid[: data.draw(st.integers(0, len(valid) - 1))]
    filesystem = MemoryFileSystem()
    target = _target(extension, dataframe_type, filesystem)
    _store(filesystem, target.path(), content)
    with pytest.raises(CorruptTargetError, match=target.path()):
        target.load()


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("extension", "dataframe_type"), PICKLE_CASES)
@settings(FUZZ, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_changed_sealed_pickles_never_reach_the_unpickler(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    extension: str,
    dataframe_type: str,
    data: st.DataObject,
) -> None:
    target = make_target(
        str(tmp_path_factory.mktemp("sealed") / f"x{extension}"),
        dataframe_type=dataframe_type,
        verify_integrity=True,
    )
    target.dump(_SAMPLES[extension]())
    valid = Path(target.path()).read_bytes()
    content = data.draw(_damage(valid).filter(lambda damaged: damaged != valid))
    Path(target.path()).write_bytes(content)
    unpickled: list[object] = []
    with monkeypatch.context() as patch:
        patch.setattr(type(target.processor), "load", lambda self, file: unpickled.append(file))
        with pytest.raises(CorruptTargetError, match=target.path()):
            target.load()
    assert unpickled == []


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.binary(max_size=20),
    st.datetimes(),
)
_OBJECTS = st.one_of(
    _SCALARS,
    st.lists(_SCALARS, max_size=5),
    st.dictionaries(st.text(max_size=5), _SCALARS, max_size=5),
    st.dictionaries(st.text(max_size=5), st.lists(_SCALARS, min_size=2, max_size=2), max_size=4),
    hpd.data_frames(
        [hpd.column("a", dtype=int), hpd.column("b", dtype=float), hpd.column("c", elements=st.text())]
    ),
    hpd.data_frames(hpd.columns(["x", "y"], elements=_SCALARS)),
    hpd.series(elements=_SCALARS),
    hnp.arrays(hnp.scalar_dtypes(), hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)),
    st.builds(lambda tag: ET.ElementTree(ET.Element(tag)), st.from_regex(r"[a-z]{1,8}", fullmatch=True)),
    st.sampled_from([lambda: 1, object(), io.BytesIO(b"x"), iter([1]), {1, 2}, Ellipsis]),
)


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("extension", "dataframe_type"), CASES)
@FUZZ
@given(obj=_OBJECTS)
def test_random_objects_dump_or_raise_type_error_and_write_nothing(
    extension: str, dataframe_type: str, obj: Any
) -> None:
    filesystem = MemoryFileSystem()
    target = _target(extension, dataframe_type, filesystem)
    failure: Exception | None = None
    try:
        target.dump(obj)
    except (TypeError, AssertionError) as error:  # AssertionError: gokart's own feather refusal, kept
        failure = error
    if failure is None:
        assert filesystem.exists(target.path())
        _load_or_corrupt(target)
        return
    assert not filesystem.exists(target.path())
    if isinstance(failure, TypeError):
        assert target.path() in str(failure)
    else:
        assert extension == ".feather", failure


@pytest.mark.timeout(120)
@settings(max_examples=100, deadline=2000)
@given(obj=_OBJECTS)
def test_failed_local_dumps_leave_no_file_behind(tmp_path_factory: pytest.TempPathFactory, obj: Any) -> None:
    directory = tmp_path_factory.mktemp("fuzz-local")
    for extension in (".parquet", ".json", ".npz", ".pkl"):
        target = make_target(str(directory / f"x{extension}"), verify_integrity=True)
        try:
            target.dump(obj)
        except TypeError:
            assert not os.path.exists(target.path())
            assert not os.path.exists(target.path() + ".kart-digest")
    names = os.listdir(directory)
    assert not [name for name in names if "-kart-tmp-" in name]


@pytest.mark.timeout(120)
@settings(max_examples=100, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=1024))
def test_with_a_signing_key_random_pickles_never_reach_the_unpickler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    calls: list[object] = []
    monkeypatch.setattr(PickleFileProcessor, "load", lambda self, file: calls.append(file))
    path = tmp_path / "planted.pkl"
    path.write_bytes(content)
    with pytest.raises(UntrustedPickleError, match="planted"):
        make_target(str(path), signing_key="k").load()
    assert calls == []
