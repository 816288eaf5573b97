"""verify_integrity: a sha256 recorded at dump (object metadata, or a `.kart-digest` sidecar on local disk)
and checked before any byte is decoded at load."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pickled_functions import load_pickle, save_pickle

from kart_storage import (
    CorruptTargetError,
    FileSystem,
    IntegrityError,
    IntegrityWarning,
    filesystem_for,
    make_model_target,
    make_target,
)


@pytest.fixture
def root(store_root: str) -> str:
    return store_root


pytestmark = pytest.mark.usefixtures("no_trust_environment")


def _read(path: str) -> bytes:
    with filesystem_for(path).open_read(path) as stream:
        return stream.read()


def _metadata(filesystem: FileSystem, path: str) -> dict[str, str]:
    reader = getattr(filesystem, "read_metadata", None)
    return dict(reader(path)) if reader is not None else {}


def _tamper(path: str, content: bytes) -> None:
    """Replace the bytes but keep whatever digest was recorded (metadata or sidecar)."""
    filesystem = filesystem_for(path)
    kept: Mapping[str, str] = _metadata(filesystem, path)
    with filesystem.open_write(path, metadata=kept or None) as stream:
        stream.write(content)


def test_dump_records_the_sha256_of_the_stored_bytes(root: str) -> None:
    target = make_target(f"{root}/frame.csv", verify_integrity=True)
    target.dump(pd.DataFrame({"a": [1, 2, 3]}))
    expected = hashlib.sha256(_read(target.path())).hexdigest()
    filesystem = filesystem_for(target.path())
    if root.startswith("/"):
        with open(target.path() + ".kart-digest") as sidecar:
            assert json.load(sidecar) == {"kart-sha256": expected}
    else:
        assert _metadata(filesystem, target.path())["kart-sha256"] == expected
    assert target.load().equals(pd.DataFrame({"a": [1, 2, 3]}))


@pytest.mark.parametrize(
    ("name", "obj"),
    [
        ("x.pkl", {"k": list(range(1000))}),
        ("x.csv", pd.DataFrame({"a": range(100)})),
        ("x.npz", np.arange(1000)),
        ("x.gz", ["line"] * 100),
        ("x.parquet", pd.DataFrame({"a": range(100)})),
    ],
)
@pytest.mark.parametrize("damage", ["truncated", "flipped", "emptied", "appended"])
def test_damaged_files_raise_integrity_error_naming_the_file(
    root: str, name: str, obj: Any, damage: str
) -> None:
    target = make_target(f"{root}/{name}", verify_integrity=True)
    target.dump(obj)
    content = _read(target.path())
    damaged = {
        "truncated": content[: len(content) // 2],
        "flipped": content[:-9] + bytes([content[-9] ^ 0x01]) + content[-8:],
        "emptied": b"",
        "appended": content + b"\0",
    }[damage]
    _tamper(target.path(), damaged)
    with pytest.raises(IntegrityError, match="corrupt") as caught:
        target.load()
    assert target.path() in str(caught.value)
    assert isinstance(caught.value, CorruptTargetError)


def test_a_file_without_digest_loads_with_a_warning_and_strict_refuses_it(root: str) -> None:
    make_target(f"{root}/plain.pkl", verify_integrity=False).dump([1, 2])
    with pytest.warns(IntegrityWarning, match="carries no digest"):
        assert make_target(f"{root}/plain.pkl", verify_integrity=True).load() == [1, 2]
    with pytest.raises(IntegrityError, match="strict") as caught:
        make_target(f"{root}/plain.pkl", verify_integrity="strict").load()
    assert f"{root}/plain.pkl" in str(caught.value)


def test_upstream_pickles_load_under_verification_only_when_not_strict(tmp_path: Path) -> None:
    path = tmp_path / "upstream.pkl"
    path.write_bytes(pickle.dumps({"from": "gokart"}, protocol=4))
    with pytest.warns(IntegrityWarning):
        assert make_target(str(path), verify_integrity=True).load() == {"from": "gokart"}
    with pytest.raises(IntegrityError):
        make_target(str(path), verify_integrity="strict").load()


def test_environment_variable_sets_the_default(root: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KART_VERIFY_INTEGRITY", "1")
    target = make_target(f"{root}/x.pkl")
    assert target.integrity.verify == "on"
    target.dump("sealed")
    _tamper(target.path(), _read(target.path())[:-1])
    with pytest.raises(IntegrityError):
        target.load()
    assert make_target(f"{root}/x.pkl", verify_integrity=False).integrity.verify == "off"  # argument wins
    monkeypatch.setenv("KART_VERIFY_INTEGRITY", "strict")
    assert make_target(f"{root}/x.pkl").integrity.verify == "strict"
    monkeypatch.setenv("KART_VERIFY_INTEGRITY", "maybe")
    with pytest.raises(ValueError, match="KART_VERIFY_INTEGRITY"):
        make_target(f"{root}/x.pkl")


def test_verification_off_reads_no_digest_and_costs_nothing(tmp_path: Path) -> None:
    target = make_target(str(tmp_path / "x.pkl"))
    target.dump([1])
    assert os.listdir(tmp_path) == ["x.pkl"]
    assert target.load() == [1]


def test_an_unsealed_overwrite_drops_the_stale_sidecar(tmp_path: Path) -> None:
    path = str(tmp_path / "x.pkl")
    make_target(path, verify_integrity=True).dump("old")
    make_target(path, verify_integrity=False).dump("new")
    assert not os.path.exists(path + ".kart-digest")
    with pytest.warns(IntegrityWarning):
        assert make_target(path, verify_integrity=True).load() == "new"


def test_remove_deletes_the_sidecar_too(tmp_path: Path) -> None:
    target = make_target(str(tmp_path / "x.pkl"), verify_integrity=True)
    target.dump(1)
    assert sorted(os.listdir(tmp_path)) == ["x.pkl", "x.pkl.kart-digest"]
    make_target(str(tmp_path / "x.pkl")).remove()
    assert os.listdir(tmp_path) == []


def test_an_unreadable_sidecar_is_an_integrity_error(tmp_path: Path) -> None:
    target = make_target(str(tmp_path / "x.pkl"), verify_integrity=True)
    target.dump(1)
    (tmp_path / "x.pkl.kart-digest").write_text("{not json")
    with pytest.raises(IntegrityError, match="unreadable"):
        target.load()


def test_digest_and_task_labels_travel_together_on_gcs(gcs_root: str) -> None:
    target = make_target(f"{gcs_root}/x.pkl", verify_integrity=True)
    target.dump([1], task_params={"p": "1"})
    stored = _metadata(filesystem_for(target.path()), target.path())
    assert stored["p"] == "1"
    assert stored["kart-sha256"] == hashlib.sha256(_read(target.path())).hexdigest()


def test_model_targets_are_verified_too(root: str, tmp_path: Path) -> None:
    target = make_model_target(
        f"{root}/model.zip", str(tmp_path / "scratch"), save_pickle, load_pickle, verify_integrity=True
    )
    target.dump({"weights": [1.0, 2.0]})
    assert target.load() == {"weights": [1.0, 2.0]}
    content = _read(target.path())
    _tamper(target.path(), content[:-1])
    with pytest.raises(IntegrityError, match=r"model\.zip"):
        target.load()


def test_a_good_file_loads_without_warnings(root: str) -> None:
    target = make_target(f"{root}/x.pkl", verify_integrity="strict")
    target.dump({"ok": True})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert target.load() == {"ok": True}


class _Crash(Exception):
    """Stands in for a process dying at one step of an overwrite."""


def test_a_crash_at_any_step_of_a_sidecar_overwrite_leaves_a_loadable_complete_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kart_storage import _integrity

    path = str(tmp_path / "x.pkl")
    make_target(path, verify_integrity="strict").dump("v1")
    real_write_sidecar = _integrity.write_sidecar

    # 1. dies again and again after the new sidecar, before the data is renamed: v1 still verifies
    real_replace = os.replace

    def data_rename_dies(source: Any, destination: Any) -> None:
        if os.fspath(destination) == path:
            raise _Crash()
        real_replace(source, destination)

    for attempt in [f"crashed {n}" for n in range(12)]:
        target = make_target(path, verify_integrity="strict")
        with monkeypatch.context() as patched:
            patched.setattr(os, "replace", data_rename_dies)
            with pytest.raises(_Crash):
                target.dump(attempt)
        assert make_target(path, verify_integrity="strict").load() == "v1"
    with open(path + ".kart-digest") as sidecar:
        assert len(json.load(sidecar)["previous"]) == 1  # seals never pile up across crashes

    # 2. dies after the data is replaced, before the sidecar forgets the old bytes: v4 verifies
    calls: list[str] = []

    def second_write_dies(filesystem: Any, sealed_path: str, seal: Any) -> None:
        calls.append(sealed_path)
        if len(calls) == 2:
            raise _Crash()
        real_write_sidecar(filesystem, sealed_path, seal)

    monkeypatch.setattr(_integrity, "write_sidecar", second_write_dies)
    with pytest.raises(_Crash):
        make_target(path, verify_integrity="strict").dump("v4")
    monkeypatch.setattr(_integrity, "write_sidecar", real_write_sidecar)
    assert make_target(path, verify_integrity="strict").load() == "v4"
    # and the next clean write leaves a sidecar that accepts only its own bytes
    make_target(path, verify_integrity="strict").dump("v5")
    with open(path + ".kart-digest") as sidecar:
        assert "previous" not in json.load(sidecar)
