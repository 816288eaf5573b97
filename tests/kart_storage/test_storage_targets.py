"""Target behaviour around the formats: locks, existence, removal, times, errors, batching."""

from __future__ import annotations

import contextlib
import io
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pytest

import kart_storage
from kart_storage import (
    CorruptTargetError,
    FileProcessor,
    SingleFileTarget,
    TargetNotFoundError,
    UnsupportedExtensionError,
    exists_many,
    make_file_processor,
    make_target,
    register_file_processor,
)


@pytest.fixture(params=["local", "memory"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "local":
        return str(tmp_path)
    return f"memory://targets-{uuid.uuid4().hex}"


class RecordingLock:
    """A context-manager factory that records what happened while it was held."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.held = False

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        self.events.append("acquire")
        self.held = True
        try:
            yield
        finally:
            self.held = False
            self.events.append("release")


def test_dump_under_lock_rechecks_existence_and_keeps_the_first_write(root: str) -> None:
    lock = RecordingLock()
    target = make_target(f"{root}/x.pkl", lock=lock)
    target.dump("first")
    assert lock.events == ["acquire", "release"]
    target.dump("second")  # another worker already wrote it: skipped silently, as gokart
    assert target.load() == "first"
    target.dump("third", lock_at_dump=False)
    assert target.load() == "third"
    assert lock.events == ["acquire", "release"] * 4  # two locked dumps, two loads (a barrier each)


def test_load_waits_for_the_lock_then_reads_unlocked(root: str) -> None:
    lock = RecordingLock()
    seen: list[bool] = []

    class Spy(FileProcessor):
        def load(self, file: Any) -> Any:
            seen.append(lock.held)
            return file.read()

        def dump(self, obj: Any, file: Any) -> None:
            file.write(obj)

    target = make_target(f"{root}/x.bin", processor=Spy(), lock=lock)
    target.dump(b"data")
    lock.events.clear()
    assert target.load() == b"data"
    assert lock.events == ["acquire", "release"]
    assert seen == [False]


def test_remove_takes_the_lock_only_when_the_target_exists(root: str) -> None:
    lock = RecordingLock()
    target = make_target(f"{root}/x.pkl", lock=lock)
    target.remove()
    assert lock.events == []
    target.dump(1, lock_at_dump=False)
    target.remove()
    assert lock.events == ["acquire", "release"]
    assert not target.exists()


def test_missing_target_raises_one_error_type(root: str) -> None:
    target = make_target(f"{root}/missing.pkl")
    with pytest.raises(TargetNotFoundError) as info:
        target.load()
    assert isinstance(info.value, FileNotFoundError)
    with pytest.raises(TargetNotFoundError):
        target.last_modification_time()


def test_last_modification_time_is_aware_utc(root: str) -> None:
    target = make_target(f"{root}/t.txt")
    before = datetime.now(UTC) - timedelta(seconds=5)
    target.dump("x")
    moment = target.last_modification_time()
    assert moment.tzinfo is not None
    assert moment.utcoffset() == timedelta(0)
    assert before <= moment <= datetime.now(UTC) + timedelta(seconds=5)


def test_path_is_returned_exactly_as_built() -> None:
    assert make_target("relative/dir/a.csv", unique_id="u").path() == "relative/dir/a_u.csv"


# --- bad input -------------------------------------------------------------------------------------


def test_unknown_extension_lists_supported_ones_and_how_to_register(root: str) -> None:
    with pytest.raises(UnsupportedExtensionError) as info:
        make_target(f"{root}/x.yaml")
    message = str(info.value)
    assert message.startswith(".yaml is not supported. The supported extensions are ['.txt', '.ini', '.csv'")
    assert "register_file_processor('.yaml'" in message
    assert isinstance(info.value, AssertionError)  # gokart raised AssertionError here
    with pytest.raises(UnsupportedExtensionError, match="is not supported"):
        make_target(f"{root}/no_extension")


@pytest.mark.parametrize(
    ("name", "obj", "expected"),
    [
        ("x.csv", {"a": 1}, "pd.DataFrame or pd.Series"),
        ("x.npz", pd.DataFrame({"a": [1]}), "np.ndarray"),
        ("x.parquet", pd.Series([1]), "pd.DataFrame"),
        ("x.feather", [1, 2], "pd.DataFrame"),
        ("x.json", [1, 2], "pd.DataFrame or pd.Series or dict"),
        ("x.xml", "<a/>", "ElementTree"),
        ("x.png", "not bytes", "bytes-like"),
    ],
)
def test_wrong_object_type_names_path_and_types_and_writes_nothing(
    root: str, name: str, obj: Any, expected: str
) -> None:
    target = make_target(f"{root}/{name}")
    with pytest.raises(TypeError) as info:
        target.dump(obj)
    assert target.path() in str(info.value)
    assert expected in str(info.value)
    assert not target.exists()
    if not root.startswith("memory://"):
        assert os.listdir(root) == []


def test_failure_while_writing_leaves_nothing(root: str) -> None:
    class Unpicklable:
        def __reduce__(self) -> Any:
            raise RuntimeError("cannot pickle this")

    target = make_target(f"{root}/x.pkl")
    with pytest.raises(RuntimeError, match="cannot pickle"):
        target.dump([np.arange(1000), Unpicklable()])
    assert not target.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("c.pkl", b"\x80\x04garbage"),
        ("c.parquet", b"PAR1 truncated"),
        ("c.feather", b"ARROW1\x00\x00 broken"),
        ("c.npz", b"PK\x03\x04 broken zip"),
        ("c.gz", b"\x1f\x8b\x08\x00 truncated"),
        ("c.xml", b"<unclosed"),
        ("c.json", b"{not json"),
        ("c.csv", b'a,b\n"1,2\n'),
    ],
)
def test_corrupt_file_names_path_and_format(root: str, name: str, content: bytes) -> None:
    path = f"{root}/{name}"
    with kart_storage.filesystem_for(path).open_write(path) as stream:
        stream.write(content)
    with pytest.raises(CorruptTargetError) as info:
        make_target(path).load()
    assert path in str(info.value)
    assert "Processor" in str(info.value)
    assert info.value.__cause__ is not None


# --- registry --------------------------------------------------------------------------------------


class UpperTextProcessor(FileProcessor):
    def load(self, file: Any) -> str:
        return str(file.read().decode()).lower()

    def dump(self, obj: Any, file: Any) -> None:
        file.write(str(obj).upper().encode())


def test_users_register_their_own_extension(root: str) -> None:
    register_file_processor(".upper", UpperTextProcessor())
    assert ".upper" in kart_storage.supported_extensions()
    target = make_target(f"{root}/x.upper")
    target.dump("hello")
    assert target.load() == "hello"
    with kart_storage.filesystem_for(target.path()).open_read(target.path()) as stored:
        assert stored.read() == b"HELLO"
    with pytest.raises(ValueError, match="extension"):
        register_file_processor("upper", UpperTextProcessor())


def test_processors_are_built_once_and_polars_only_on_demand() -> None:
    assert make_file_processor("a.csv") is make_file_processor("b/c.csv")
    assert make_file_processor("a.csv") is not make_file_processor("a.csv", dataframe_type="polars")
    polars_pickle = make_file_processor("a.pkl", dataframe_type="polars")
    assert isinstance(polars_pickle, kart_storage.PickleFileProcessor)
    assert polars_pickle is make_file_processor("b.pkl", dataframe_type="polars")


# --- non-seekable streams ---------------------------------------------------------------------------


class _OneWayStream(io.RawIOBase):
    """Like an S3 streaming body: read() only, no seek."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: Any) -> int:
        return self._inner.readinto(buffer)


class StreamingFileSystem:
    """A file system whose reads cannot seek (object stores), to prove targets spool them."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def exists(self, path: str) -> bool:
        return path in self.data

    def exists_many(self, paths: Sequence[str]) -> list[bool]:
        return [path in self.data for path in paths]

    @contextlib.contextmanager
    def open_read(self, path: str) -> Iterator[BinaryIO]:
        if path not in self.data:
            raise TargetNotFoundError(path)
        yield io.BufferedReader(_OneWayStream(self.data[path]))  # type: ignore[misc]

    @contextlib.contextmanager
    def open_write(self, path: str, *, metadata: Mapping[str, str] | None = None) -> Iterator[BinaryIO]:
        buffer = io.BytesIO()
        yield buffer
        self.data[path] = buffer.getvalue()

    def remove(self, path: str) -> None:
        del self.data[path]

    def last_modified(self, path: str) -> datetime:
        return datetime(2024, 1, 1)  # naive on purpose: targets must still answer in aware UTC


@pytest.mark.parametrize("dataframe_type", ["pandas", "polars", "polars-lazy"])
@pytest.mark.parametrize("name", ["s.csv", "s.json", "s.ndjson", "s.parquet", "s.feather", "s.pkl"])
def test_non_seekable_reads_are_spooled(name: str, dataframe_type: str) -> None:
    import polars as pl

    filesystem = StreamingFileSystem()
    processor = make_file_processor(name, dataframe_type=dataframe_type)
    target = SingleFileTarget(f"stream://{name}", processor, filesystem=filesystem)
    frame: Any = pd.DataFrame({"a": [1, 2]}) if dataframe_type == "pandas" else pl.DataFrame({"a": [1, 2]})
    if name.endswith(".pkl"):
        frame = pd.DataFrame({"a": [1, 2]})
    target.dump(frame)
    loaded = target.load()
    if isinstance(loaded, pl.LazyFrame):
        loaded = loaded.collect()
    if isinstance(loaded, pl.DataFrame):
        loaded = loaded.to_pandas()
    assert loaded["a"].tolist() == [1, 2]
    assert target.last_modification_time() == datetime(2024, 1, 1, tzinfo=UTC)


# --- exists_many -----------------------------------------------------------------------------------


def test_exists_many_groups_by_file_system_and_keeps_order(tmp_path: Path) -> None:
    calls: list[list[str]] = []
    streaming = StreamingFileSystem()
    original = streaming.exists_many

    def counting(paths: Sequence[str]) -> list[bool]:
        calls.append(list(paths))
        return original(paths)

    streaming.exists_many = counting  # type: ignore[method-assign]
    processor = make_file_processor("x.pkl")
    remote = [SingleFileTarget(f"stream://{i}.pkl", processor, filesystem=streaming) for i in range(4)]
    remote[1].dump(1)
    remote[3].dump(3)
    local = [make_target(str(tmp_path / f"{i}.pkl")) for i in range(3)]
    local[0].dump(0)
    memory = kart_storage.make_in_memory_target(f"key-{uuid.uuid4().hex}")
    memory.dump("here")

    mixed = [remote[0], local[0], remote[1], memory, local[1], remote[2], remote[3], local[2]]
    assert exists_many(mixed) == [False, True, True, True, False, False, True, False]
    assert calls == [[f"stream://{i}.pkl" for i in (0, 1, 2, 3)]]
    assert exists_many([]) == []


def test_polars_is_imported_only_for_polars_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "polars", None)  # as if polars were not installed
    assert isinstance(
        make_file_processor("a.txt", store_index_in_feather=False, dataframe_type="polars-lazy"),
        kart_storage.TextFileProcessor,
    )
    with pytest.raises(ImportError, match="pip install polars"):
        make_file_processor("a.tsv", store_index_in_feather=False, dataframe_type="polars-lazy")
