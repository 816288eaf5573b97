"""What is verified is exactly what is decoded (issue #17, item 1).

A verified load used to hash the stored file and then read it again from the start to decode it, so a
process rewriting the file in between got its bytes unpickled; and a model/large-DataFrame load unpacked
into a scratch folder that existed before the check, so a `data_*.pkl` planted there was unpickled too.
Each test places the fault deterministically: `IntegrityPolicy.check` (called after the hash, before any
decoding) is wrapped to rewrite or plant first.
"""

from __future__ import annotations

import os
import pickle
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pickled_functions import load_pickle, save_pickle

import kart_storage
from kart_storage import LargeDataFrameProcessor, filesystem_for, make_model_target, make_target
from kart_storage._integrity import IntegrityPolicy, Seal

KEY = "correct horse battery staple"

pytestmark = pytest.mark.usefixtures("no_trust_environment")

#: a signing key, or a plain digest check
_SIGNED_OR_DIGEST = pytest.mark.parametrize(
    "options", [{"signing_key": KEY}, {"verify_integrity": True}], ids=["signed", "digest"]
)


class _Payload:
    """Unpickling this runs `os.mkdir(marker)`: a visible, harmless stand-in for someone else's code."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (self.marker,))


@pytest.fixture(params=["local", "s3", "gcs"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "local":
        return str(tmp_path / "store")
    return str(request.getfixturevalue(f"{request.param}_root"))


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temporary directory, redirected so the test can see what a load creates there."""
    directory = tmp_path / "system-tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def _rewrite(path: str, content: bytes) -> None:
    """An attacker who can write the stored object: a local file is rewritten in place (the same inode
    the reader opened), an object is replaced keeping its metadata (its seal)."""
    if "://" not in path:
        with open(path, "r+b") as handle:
            handle.write(content)
            handle.truncate()
        return
    filesystem = filesystem_for(path)
    metadata = filesystem.read_metadata(path)  # type: ignore[attr-defined]
    with filesystem.open_write(path, metadata=metadata) as stream:
        stream.write(content)


def _after_hashing(monkeypatch: pytest.MonkeyPatch, fault: Callable[[], None]) -> list[int]:
    """Run `fault` each time a seal has been computed and is about to be checked; the list counts calls."""
    original = IntegrityPolicy.check
    calls: list[int] = []

    def check(self: IntegrityPolicy, path: str, recorded: Seal | None, actual: Seal) -> None:
        calls.append(1)
        fault()
        original(self, path, recorded, actual)

    monkeypatch.setattr(IntegrityPolicy, "check", check)
    return calls


@_SIGNED_OR_DIGEST
def test_a_pickle_rewritten_after_hashing_is_not_unpickled(
    root: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]
) -> None:
    target = make_target(f"{root}/out.pkl", **options)
    target.dump({"answer": 42})
    marker = tmp_path / "ran"
    calls = _after_hashing(monkeypatch, lambda: _rewrite(target.path(), pickle.dumps(_Payload(str(marker)))))

    loaded = target.load()

    assert calls == [1]
    assert not marker.exists(), "the bytes written after the hash were unpickled"
    assert loaded == {"answer": 42}  # exactly the bytes that were hashed


def test_a_large_pickle_is_decoded_from_a_private_snapshot_that_is_removed(
    root: str, tmp_path: Path, private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the in-memory size the snapshot is a file in a fresh 0700 directory, gone after the load."""
    monkeypatch.setattr(kart_storage._snapshot, "IN_MEMORY_LIMIT", 64)
    value = list(range(5000))
    target = make_target(f"{root}/big.pkl", signing_key=KEY)
    target.dump(value)
    marker = tmp_path / "ran"
    seen: list[tuple[str, int]] = []

    def fault() -> None:
        for entry in private_tmp.iterdir():
            seen.append((entry.name, stat.S_IMODE(entry.stat().st_mode)))
        _rewrite(target.path(), pickle.dumps(_Payload(str(marker))))

    _after_hashing(monkeypatch, fault)
    assert target.load() == value
    assert not marker.exists()
    snapshot_dirs = [(name, mode) for name, mode in seen if name.startswith("kart-verified-")]
    assert len(snapshot_dirs) == 1
    assert snapshot_dirs[0][1] == 0o700
    assert list(private_tmp.iterdir()) == []  # removed afterwards


def test_a_fast_read_never_reopens_the_original_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parquet is read by pyarrow through a path: under verification that path is the private snapshot."""
    monkeypatch.setattr(kart_storage._snapshot, "IN_MEMORY_LIMIT", 64)
    original = pd.DataFrame({"a": range(100)})
    target = make_target(str(tmp_path / "store" / "frame.parquet"), verify_integrity=True)
    target.dump(original)
    other = tmp_path / "other.parquet"
    pd.DataFrame({"a": [-1]}).to_parquet(other, index=False)
    _after_hashing(monkeypatch, lambda: _rewrite(target.path(), other.read_bytes()))

    pd.testing.assert_frame_equal(target.load(), original)


def test_a_failed_check_removes_the_snapshot(
    tmp_path: Path, private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kart_storage._snapshot, "IN_MEMORY_LIMIT", 16)
    path = str(tmp_path / "store" / "out.pkl")
    make_target(path, signing_key=KEY).dump(list(range(100)))
    with pytest.raises(kart_storage.UntrustedPickleError):
        make_target(path, signing_key="another key").load()
    assert list(private_tmp.iterdir()) == []


# --- model and large-DataFrame targets ----------------------------------------------------------------


def _chunks_in(directory: Path) -> Iterator[Path]:
    yield directory
    yield from (entry for entry in directory.rglob("*") if entry.is_dir())


def _plant_everywhere(directories: list[Path], payload: bytes) -> None:
    """A `data_9.pkl` in every directory the attacker can see: the shared scratch folder (and all its
    subfolders, whatever their names) and the system temporary directory."""
    for top in directories:
        top.mkdir(parents=True, exist_ok=True)
        for directory in list(_chunks_in(top)):
            try:
                (directory / "data_9.pkl").write_bytes(payload)
            except PermissionError:
                pass


@_SIGNED_OR_DIGEST
def test_a_planted_chunk_is_not_read_by_a_verified_large_frame_load(
    root: str, tmp_path: Path, private_tmp: Path, monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]
) -> None:
    scratch = tmp_path / "workspace" / "resources" / "tmp"
    frame = pd.DataFrame({"a": range(1000), "b": [float(i) for i in range(1000)]})
    processor = LargeDataFrameProcessor(max_byte=4000)
    path = f"{root}/frame.zip"
    make_model_target(path, str(scratch), processor.save, processor.load, **options).dump(frame)
    marker = tmp_path / "ran"
    _after_hashing(
        monkeypatch,
        lambda: _plant_everywhere([scratch, private_tmp], pickle.dumps(_Payload(str(marker)))),
    )
    unpacked: list[tuple[str, int, list[str]]] = []

    def load(file_path: str) -> pd.DataFrame:
        directory = os.path.dirname(file_path)
        mode = stat.S_IMODE(os.stat(directory).st_mode)
        unpacked.append((directory, mode, sorted(os.listdir(directory))))
        return processor.load(file_path)

    loaded = make_model_target(path, str(scratch), processor.save, load, **options).load()

    assert not marker.exists(), "a planted chunk was unpickled"
    pd.testing.assert_frame_equal(loaded, frame)
    [(directory, mode, names)] = unpacked
    assert mode == 0o700
    assert "data_9.pkl" not in names
    assert not os.path.exists(directory)  # removed afterwards
    assert not Path(directory).is_relative_to(scratch)  # never the shared scratch folder


def test_an_archive_rewritten_after_hashing_is_not_unpacked(
    root: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The archive itself is snapshotted: a zip swapped in after the hash (holding a hostile loader)
    is never opened."""
    scratch = tmp_path / "scratch"
    path = f"{root}/model.zip"
    make_model_target(path, str(scratch), save_pickle, load_pickle, signing_key=KEY).dump({"w": 1})
    marker = tmp_path / "ran"
    evil_zip = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil_zip, "w") as archive:
        archive.writestr("model.pkl", pickle.dumps(_Payload(str(marker))))
        archive.writestr("load_function.pkl", pickle.dumps(load_pickle))
    _after_hashing(monkeypatch, lambda: _rewrite(path, evil_zip.read_bytes()))

    loaded = make_model_target(path, str(scratch), save_pickle, None, signing_key=KEY).load()

    assert not marker.exists()
    assert loaded == {"w": 1}


def test_an_unverified_model_load_keeps_the_scratch_folder(tmp_path: Path) -> None:
    """Without integrity checks nothing changes: the archive unpacks under the task's scratch folder."""
    scratch = tmp_path / "scratch"
    processor = LargeDataFrameProcessor(max_byte=2**20)
    frame = pd.DataFrame({"a": [1, 2]})
    path = str(tmp_path / "store" / "frame.zip")
    make_model_target(path, str(scratch), processor.save, processor.load).dump(frame)
    seen: list[str] = []

    def load(file_path: str) -> pd.DataFrame:
        seen.append(file_path)
        return processor.load(file_path)

    pd.testing.assert_frame_equal(make_model_target(path, str(scratch), processor.save, load).load(), frame)
    assert Path(seen[0]).is_relative_to(scratch)


@_SIGNED_OR_DIGEST
def test_a_chunk_planted_in_the_scratch_folder_during_a_sealed_dump_is_not_sealed(
    root: str, tmp_path: Path, private_tmp: Path, options: dict[str, Any]
) -> None:
    """What is in the build directory when the archive is made gets sealed: a sealed dump builds in a
    fresh 0700 directory, not in the shared scratch folder where others could plant or swap files."""
    scratch = tmp_path / "workspace" / "resources" / "tmp"
    scratch.mkdir(parents=True)
    frame = pd.DataFrame({"a": range(1000)})
    processor = LargeDataFrameProcessor(max_byte=4000)
    marker = tmp_path / "ran"
    built: list[tuple[str, int]] = []

    def save(df: pd.DataFrame, file_path: str) -> None:
        processor.save(df, file_path)
        _plant_everywhere([scratch], pickle.dumps(_Payload(str(marker))))
        top = os.path.dirname(os.path.dirname(file_path))
        built.append((top, stat.S_IMODE(os.stat(top).st_mode)))

    path = f"{root}/frame.zip"
    make_model_target(path, str(scratch), save, processor.load, **options).dump(frame)
    loaded = make_model_target(path, str(scratch), save, processor.load, **options).load()

    assert not marker.exists(), "a chunk planted during the dump was sealed and then unpickled"
    pd.testing.assert_frame_equal(loaded, frame)
    [(top, mode)] = built
    assert mode == 0o700
    assert not Path(top).is_relative_to(scratch)
    assert not os.path.exists(top)
