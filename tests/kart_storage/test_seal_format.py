"""Seals are kart_hash digests in the format written before kart-storage used kart_hash: sidecars and
object metadata written earlier keep verifying."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import pickle
from pathlib import Path

import kart_storage
from kart_storage import _integrity


def test_a_seal_is_the_sha256_and_hmac_sha256_hex_of_the_bytes_from_the_stream_position() -> None:
    data = b"x" * (3 * 2**20 + 5)
    stream = io.BytesIO(b"skipped" + data)
    stream.seek(len(b"skipped"))
    seal = _integrity.compute_seal(stream, b"key")
    assert seal.digest == hashlib.sha256(data).hexdigest()
    assert seal.signature == hmac.new(b"key", data, hashlib.sha256).hexdigest()
    assert _integrity.compute_seal(io.BytesIO(data), None) == _integrity.Seal(
        hashlib.sha256(data).hexdigest()
    )


def test_a_sidecar_written_by_hand_in_the_earlier_format_verifies_strictly_and_signed(tmp_path: Path) -> None:
    path = tmp_path / "value.pkl"
    data = pickle.dumps({"a": 1}, protocol=4)
    path.write_bytes(data)
    fields = {
        "kart-hmac-sha256": hmac.new(b"k", data, hashlib.sha256).hexdigest(),
        "kart-sha256": hashlib.sha256(data).hexdigest(),
    }
    Path(str(path) + ".kart-digest").write_bytes(json.dumps(fields, sort_keys=True).encode("ascii"))
    target = kart_storage.make_target(str(path), verify_integrity="strict", signing_key="k")
    assert target.load() == {"a": 1}


def test_a_dump_writes_the_sidecar_in_the_same_format(tmp_path: Path) -> None:
    target = kart_storage.make_target(str(tmp_path / "v.pkl"), verify_integrity=True, signing_key="k")
    target.dump([1, 2])
    data = Path(target.path()).read_bytes()
    expected = {
        "kart-hmac-sha256": hmac.new(b"k", data, hashlib.sha256).hexdigest(),
        "kart-sha256": hashlib.sha256(data).hexdigest(),
    }
    assert Path(target.path() + ".kart-digest").read_bytes() == json.dumps(expected, sort_keys=True).encode()
