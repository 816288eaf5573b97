"""Shared fixtures for kart_storage tests: moto's S3 server and the GCS emulator, one each per session.

`s3_root` / `gcs_root` give a fresh, empty bucket URL per test; kart_storage paths under it just work
because the session fixtures point the environment (and a fresh client) at the local servers.
"""

from __future__ import annotations

import itertools
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import kart_storage
from _servers import Server, gcs_emulator, moto_s3_server, point_boto3_at, running

# The backend test modules import the shared suite as `filesystem_conformance` (pytest's importlib mode
# puts only tests/ on the path).
sys.path.insert(0, str(Path(__file__).parent))

_bucket_numbers = itertools.count()


def _fresh_bucket_name() -> str:
    return f"kart-test-{next(_bucket_numbers)}"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """moto's threaded S3 server on 127.0.0.1, with AWS_* variables pointing at it."""
    empty: Path = tmp_path_factory.mktemp("aws") / "none"
    with running(moto_s3_server()) as server, pytest.MonkeyPatch.context() as patch:
        point_boto3_at(patch, server, empty)
        kart_storage.configure_s3()  # a new client that reads the variables above
        try:
            yield server
        finally:
            kart_storage.configure_s3()


@pytest.fixture(scope="session")
def gcs_server() -> Iterator[Server]:
    """gcp-storage-emulator on 127.0.0.1, with STORAGE_EMULATOR_HOST pointing at it."""
    with running(gcs_emulator()) as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("STORAGE_EMULATOR_HOST", f"http://{server.address}")
        patch.setenv("GOOGLE_CLOUD_PROJECT", "kart-test")
        patch.delenv("GCS_CREDENTIAL", raising=False)
        kart_storage.configure_gcs()
        try:
            yield server
        finally:
            kart_storage.configure_gcs()


@pytest.fixture
def s3_root(s3_server: Server) -> str:
    """`s3://kart-test-<n>`: a new empty bucket on the moto server."""
    bucket = _fresh_bucket_name()
    filesystem = kart_storage.filesystem_for(f"s3://{bucket}/")
    assert isinstance(filesystem, kart_storage.S3FileSystem)
    filesystem.client.create_bucket(Bucket=bucket)
    return f"s3://{bucket}"


@pytest.fixture
def gcs_root(gcs_server: Server) -> str:
    """`gs://kart-test-<n>`: a new empty bucket on the GCS emulator."""
    bucket = _fresh_bucket_name()
    filesystem = kart_storage.filesystem_for(f"gs://{bucket}/")
    assert isinstance(filesystem, kart_storage.GCSFileSystem)
    filesystem.client.create_bucket(bucket)
    return f"gs://{bucket}"


@pytest.fixture(params=["local", "memory", "s3", "gcs"])
def store_root(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty root on each backend: a local directory, a memory prefix, an S3 and a GCS bucket."""
    if request.param == "local":
        return str(tmp_path)
    if request.param == "memory":
        return f"memory://root-{uuid.uuid4().hex}"
    return str(request.getfixturevalue(f"{request.param}_root"))


@pytest.fixture
def no_trust_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither KART_VERIFY_INTEGRITY nor KART_PICKLE_SIGNING_KEY leaks in from the caller's shell."""
    monkeypatch.delenv("KART_VERIFY_INTEGRITY", raising=False)
    monkeypatch.delenv("KART_PICKLE_SIGNING_KEY", raising=False)


@pytest.fixture(autouse=True)
def _reset_kart_storage() -> Iterator[None]:
    """Nothing a test builds (file systems and clients, processors, in-memory objects, the dill lookup)
    reaches the next test: kart_storage.reset() after each one."""
    yield
    kart_storage.reset()
