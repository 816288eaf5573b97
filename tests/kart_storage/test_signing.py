"""Signed pickles: with a signing key, pickle-family files carry an HMAC-SHA256 (sidecar or metadata, the
file bytes unchanged) and loads refuse unsigned or wrongly signed ones before unpickling anything."""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pickled_functions import load_pickle, save_pickle

from kart_storage import (
    CorruptTargetError,
    IntegrityError,
    UntrustedPickleError,
    filesystem_for,
    make_model_target,
    make_target,
)

KEY = "correct horse battery staple"


@pytest.fixture
def root(store_root: str) -> str:
    return store_root


pytestmark = pytest.mark.usefixtures("no_trust_environment")


class _Payload:
    """Unpickling this runs `os.mkdir(marker)`: the shape of an attack on a shared cache."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (self.marker,))


def _read(path: str) -> bytes:
    with filesystem_for(path).open_read(path) as stream:
        return stream.read()


def _plant(path: str, content: bytes, keep_seal: bool) -> None:
    """What an attacker with write access to the store does: replace the bytes (optionally keeping the
    recorded seal, i.e. metadata or sidecar)."""
    filesystem = filesystem_for(path)
    reader = getattr(filesystem, "read_metadata", None)
    metadata = reader(path) if (keep_seal and reader is not None) else None
    with filesystem.open_write(path, metadata=metadata) as stream:
        stream.write(content)


def test_signed_pickles_round_trip_and_keep_upstream_bytes(root: str) -> None:
    obj = {"frame": pd.DataFrame({"a": [1, 2]}), "n": 3}
    signed = make_target(f"{root}/signed.pkl", signing_key=KEY)
    plain = make_target(f"{root}/plain.pkl")
    signed.dump(obj)
    plain.dump(obj)
    content = _read(signed.path())
    assert content == _read(plain.path())  # upstream gokart reads it as before
    loaded = signed.load()
    assert loaded["n"] == 3
    assert loaded["frame"].equals(obj["frame"])
    expected = hmac.new(KEY.encode(), content, hashlib.sha256).hexdigest()
    if root.startswith("/"):
        assert expected in Path(signed.path() + ".kart-digest").read_text()
    else:
        metadata = filesystem_for(root + "/").read_metadata(signed.path())  # type: ignore[attr-defined]
        assert metadata["kart-hmac-sha256"] == expected
        assert KEY not in str(metadata)


def test_an_unsigned_pickle_is_refused_before_it_runs(root: str, tmp_path: Path) -> None:
    marker = str(tmp_path / "pwned")
    path = f"{root}/evil.pkl"
    _plant(path, pickle.dumps(_Payload(marker)), keep_seal=False)
    with pytest.raises(UntrustedPickleError, match="no signature") as caught:
        make_target(path, signing_key=KEY).load()
    assert path in str(caught.value)
    assert not os.path.exists(marker)
    assert isinstance(caught.value, IntegrityError)
    assert isinstance(caught.value, CorruptTargetError)


def test_a_replaced_pickle_under_an_old_signature_is_refused(root: str, tmp_path: Path) -> None:
    marker = str(tmp_path / "pwned")
    target = make_target(f"{root}/model.pkl", signing_key=KEY)
    target.dump([1, 2, 3])
    _plant(target.path(), pickle.dumps(_Payload(marker)), keep_seal=True)
    with pytest.raises(UntrustedPickleError, match="does not match"):
        target.load()
    assert not os.path.exists(marker)


def test_another_key_is_refused(root: str) -> None:
    make_target(f"{root}/x.pkl", signing_key="key A").dump("data")
    with pytest.raises(UntrustedPickleError, match="another key"):
        make_target(f"{root}/x.pkl", signing_key="key B").load()
    assert make_target(f"{root}/x.pkl", signing_key=b"key A").load() == "data"


def test_the_key_comes_from_the_environment(
    root: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KART_PICKLE_SIGNING_KEY", KEY)
    make_target(f"{root}/x.pkl").dump("signed by env")
    assert make_target(f"{root}/x.pkl", signing_key=KEY).load() == "signed by env"
    marker = str(tmp_path / "pwned")
    _plant(f"{root}/y.pkl", pickle.dumps(_Payload(marker)), keep_seal=False)
    with pytest.raises(UntrustedPickleError):
        make_target(f"{root}/y.pkl").load()
    assert not os.path.exists(marker)


def test_without_a_key_nothing_changes(tmp_path: Path) -> None:
    make_target(str(tmp_path / "x.pkl"), signing_key=KEY).dump("signed")
    assert make_target(str(tmp_path / "x.pkl")).load() == "signed"  # the seal is simply not checked
    (tmp_path / "u.pkl").write_bytes(pickle.dumps("unsigned"))
    assert make_target(str(tmp_path / "u.pkl")).load() == "unsigned"


def test_formats_that_do_not_unpickle_ignore_the_key(root: str) -> None:
    make_target(f"{root}/x.csv").dump(pd.DataFrame({"a": [1]}))
    target = make_target(f"{root}/x.csv", signing_key=KEY)
    assert target.integrity.signing_key is None
    assert target.load()["a"].tolist() == [1]


def test_model_zips_are_signed_and_a_planted_zip_never_runs(root: str, tmp_path: Path) -> None:
    target = make_model_target(
        f"{root}/m.zip", str(tmp_path / "scratch"), save_pickle, load_pickle, signing_key=KEY
    )
    target.dump({"w": 1})
    fresh = make_model_target(f"{root}/m.zip", str(tmp_path / "scratch"), save_pickle, None, signing_key=KEY)
    assert fresh.load() == {"w": 1}
    marker = str(tmp_path / "pwned")
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("model.pkl", pickle.dumps(1))
        archive.writestr("load_function.pkl", pickle.dumps(_Payload(marker)))
    _plant(target.path(), evil.read_bytes(), keep_seal=True)
    victim = make_model_target(f"{root}/m.zip", str(tmp_path / "scratch"), save_pickle, None, signing_key=KEY)
    with pytest.raises(UntrustedPickleError, match=r"m\.zip"):
        victim.load()
    assert not os.path.exists(marker)
