from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from kart_hash import file_digest


@pytest.fixture
def data_file(tmp_path: Path) -> tuple[Path, bytes]:
    data = os.urandom(3 * 1024 * 1024 + 17)  # more than one 1 MiB chunk, not a multiple of it
    path = tmp_path / "cache.bin"
    path.write_bytes(data)
    return path, data


def test_paths_and_files_agree_with_hashlib(data_file: tuple[Path, bytes]) -> None:
    path, data = data_file
    expected = hashlib.sha256(data).hexdigest()
    assert file_digest(path) == expected
    assert file_digest(str(path)) == expected
    with open(path, "rb") as handle:
        assert file_digest(handle) == expected
    assert file_digest(io.BytesIO(data), "md5") == hashlib.md5(data).hexdigest()


class _ReadOnly:
    """A stream with read() but no readinto(), as some object-store bodies are."""

    def __init__(self, data: bytes) -> None:
        self._buffer = io.BytesIO(data)

    def read(self, n: int = -1) -> bytes:
        return self._buffer.read(n)


def test_streams_without_readinto(data_file: tuple[Path, bytes]) -> None:
    _, data = data_file
    assert file_digest(_ReadOnly(data), "sha1") == hashlib.sha1(data).hexdigest()  # type: ignore[arg-type]


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pkl"
    with pytest.raises(FileNotFoundError, match=r"nope\.pkl"):
        file_digest(missing)


def test_unknown_algorithm_lists_known_ones(data_file: tuple[Path, bytes]) -> None:
    with pytest.raises(ValueError, match=r"unknown digest algorithm 'sha257'.*sha256"):
        file_digest(data_file[0], "sha257")


def test_digest_and_hmac_in_one_read_match_hashlib_and_hmac(data_file: tuple[Path, bytes]) -> None:
    import hmac

    from kart_hash import file_digest_and_hmac

    path, data = data_file
    key = b"secret"
    expected = (hashlib.sha256(data).hexdigest(), hmac.new(key, data, hashlib.sha256).hexdigest())
    assert file_digest_and_hmac(path, key) == expected
    with open(path, "rb") as handle:
        assert file_digest_and_hmac(handle, key) == expected
    assert file_digest_and_hmac(_ReadOnly(data), key) == expected  # type: ignore[arg-type]
    assert file_digest_and_hmac(io.BytesIO(data), None) == (file_digest(io.BytesIO(data)), None)
