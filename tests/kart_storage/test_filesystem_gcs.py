"""The GCS backend on gcp-storage-emulator over HTTP: conformance suite plus GCS-specific promises."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from filesystem_conformance import FileSystemConformance

import kart_storage
from _servers import Server
from kart_storage import FileSystem, GCSConfig, GCSFileSystem, StorageConfigurationError


class TestGCSFileSystem(FileSystemConformance):
    supports_metadata = True

    @pytest.fixture
    def filesystem(self, root: str) -> FileSystem:
        return kart_storage.filesystem_for(root + "/")

    @pytest.fixture
    def root(self, gcs_root: str) -> str:
        return gcs_root


@pytest.fixture
def gcs(gcs_root: str) -> GCSFileSystem:
    filesystem = kart_storage.filesystem_for(gcs_root + "/")
    assert isinstance(filesystem, GCSFileSystem)
    return filesystem


@pytest.fixture
def requests(gcs: GCSFileSystem) -> Iterator[list[str]]:
    """URLs of the HTTP requests the client sends."""
    session: Any = gcs.client._http
    sent: list[str] = []
    original = session.request

    def counting(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(f"{method} {url}")
        return original(method, url, *args, **kwargs)

    session.request = counting
    yield sent
    session.request = original


def test_a_missing_object_costs_one_request(gcs: GCSFileSystem, gcs_root: str, requests: list[str]) -> None:
    gcs.exists(f"{gcs_root}/warm-up")  # first miss in a bucket also checks the bucket, once
    requests.clear()
    assert not gcs.exists(f"{gcs_root}/missing.pkl")
    assert len(requests) == 1, requests


def test_exists_many_lists_a_crowded_directory(
    gcs: GCSFileSystem, gcs_root: str, requests: list[str]
) -> None:
    paths = [f"{gcs_root}/crowd/{index:04d}.pkl" for index in range(100)]
    for path in paths[::5]:
        with gcs.open_write(path) as stream:
            stream.write(b"1")
    requests.clear()
    assert gcs.exists_many(paths) == [index % 5 == 0 for index in range(100)]
    assert len(requests) == 1, requests


def test_labels_are_stored_with_the_upload(gcs: GCSFileSystem, gcs_root: str) -> None:
    path = f"{gcs_root}/task/output_abc.pkl"
    labels = kart_storage.task_state_labels(path, {"param": 1}, {"owner": "me"}, [])
    with gcs.open_write(path, metadata=labels) as stream:
        stream.write(b"1")
    assert gcs.read_metadata(path) == {"owner": "me", "param": "1"}


def test_content_type_follows_the_extension(gcs: GCSFileSystem, gcs_root: str) -> None:
    with gcs.open_write(f"{gcs_root}/table.csv") as stream:
        stream.write(b"a\n1\n")
    blob = gcs.client.bucket(gcs_root[5:]).get_blob("table.csv")
    assert blob.content_type == "text/csv"


def test_large_uploads_are_resumable_in_chunks(
    gcs: GCSFileSystem, gcs_root: str, requests: list[str]
) -> None:
    size = 3 * 256 * 1024 + 5
    small = GCSFileSystem(GCSConfig(chunk_size=256 * 1024))
    small._client = gcs.client  # the same session, so the request log sees it
    with small.open_write(f"{gcs_root}/chunked.bin") as stream:
        stream.write(b"z" * size)
    uploads = [request.split(" ")[0] for request in requests if "uploadType=resumable" in request]
    assert uploads == ["POST", "PUT", "PUT", "PUT", "PUT"], requests  # start, then four 256 KiB chunks
    assert gcs.size(f"{gcs_root}/chunked.bin") == size


def test_missing_bucket_is_a_configuration_error_naming_it(gcs_server: Server) -> None:
    filesystem = GCSFileSystem()  # fresh: no bucket remembered
    path = "gs://no-such-bucket-kart/x.pkl"
    with pytest.raises(StorageConfigurationError, match="no-such-bucket-kart"):
        filesystem.exists(path)
    with pytest.raises(StorageConfigurationError, match="no-such-bucket-kart"):
        filesystem.remove(path)
    with pytest.raises(StorageConfigurationError, match="no-such-bucket-kart"):
        filesystem.last_modified(path)
    with (
        pytest.raises(StorageConfigurationError, match="no-such-bucket-kart"),
        filesystem.open_write("gs://no-such-bucket-kart/x.pkl") as stream,
    ):
        stream.write(b"1")


def test_the_bucket_itself_exists(gcs: GCSFileSystem, gcs_root: str) -> None:
    assert gcs.exists(gcs_root)
    with pytest.raises(StorageConfigurationError, match="no-such-bucket-kart"):
        GCSFileSystem().exists("gs://no-such-bucket-kart")


def _service_account_json() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    info = {
        "type": "service_account",
        "project_id": "kart-sa-project",
        "private_key_id": "kart-key",
        "private_key": pem.decode(),
        "client_email": "kart@kart-sa-project.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return json.dumps(info)


@pytest.mark.parametrize("form", ["file path", "raw json"])
def test_service_account_credentials_from_the_variable(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = _service_account_json()
    if form == "file path":
        (tmp_path / "sa.json").write_text(document)
        document = str(tmp_path / "sa.json")
    monkeypatch.setenv("GCS_CREDENTIAL", document)
    credentials = GCSConfig().load_credentials()
    assert credentials.service_account_email == "kart@kart-sa-project.iam.gserviceaccount.com"
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    client = GCSFileSystem().client  # built without any network request
    assert client.project == "kart-sa-project"
    assert client._credentials.service_account_email == credentials.service_account_email


def test_credential_variable_that_is_not_json_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_GCS_CREDENTIAL", "{not json")
    with pytest.raises(StorageConfigurationError, match="MY_GCS_CREDENTIAL"):
        GCSConfig(gcs_credential_name="MY_GCS_CREDENTIAL").load_credentials()
    monkeypatch.setenv("MY_GCS_CREDENTIAL", "")
    assert GCSConfig(gcs_credential_name="MY_GCS_CREDENTIAL").load_credentials() is None


def test_kart_storage_imports_without_google_cloud_storage_and_names_the_extra() -> None:
    script = (
        "import sys\n"
        "sys.modules['google.cloud.storage'] = None\n"
        "import kart_storage\n"
        "assert 'google.cloud.storage' not in sys.modules or sys.modules['google.cloud.storage'] is None\n"
        "try:\n"
        "    kart_storage.filesystem_for('gs://bucket/x.pkl')\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "kart-storage[gcs]" in finished.stdout
