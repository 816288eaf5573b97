"""The S3 backend on moto's threaded server over HTTP: conformance suite plus S3-specific promises."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from filesystem_conformance import FileSystemConformance

import kart_storage
from _servers import Server
from kart_storage import FileSystem, S3Config, S3FileSystem, StorageConfigurationError


class TestS3FileSystem(FileSystemConformance):
    supports_metadata = True

    @pytest.fixture
    def filesystem(self, root: str) -> FileSystem:
        return kart_storage.filesystem_for(root + "/")

    @pytest.fixture
    def root(self, s3_root: str) -> str:
        return s3_root


class _RequestLog:
    """Counts the HTTP requests a boto3 client sends (by operation name)."""

    def __init__(self, client: Any) -> None:
        self.operations: list[str] = []
        client.meta.events.register("before-send.s3.*", self._record)
        self._client = client

    def _record(self, event_name: str, **_: Any) -> None:
        self.operations.append(event_name.rsplit(".", 1)[-1])  # before-send.s3.HeadObject

    def close(self) -> None:
        self._client.meta.events.unregister("before-send.s3.*", self._record)


@pytest.fixture
def s3(s3_root: str) -> S3FileSystem:
    filesystem = kart_storage.filesystem_for(s3_root + "/")
    assert isinstance(filesystem, S3FileSystem)
    return filesystem


@pytest.fixture
def requests(s3: S3FileSystem) -> Iterator[_RequestLog]:
    log = _RequestLog(s3.client)
    yield log
    log.close()


def test_a_missing_object_costs_one_request(s3: S3FileSystem, s3_root: str, requests: _RequestLog) -> None:
    s3.exists(f"{s3_root}/warm-up")  # first miss in a bucket also checks the bucket, once
    requests.operations.clear()
    assert not s3.exists(f"{s3_root}/missing.pkl")
    assert not s3.exists(f"{s3_root}/dir/missing.pkl")
    assert requests.operations == ["HeadObject", "HeadObject"]


def test_a_present_object_costs_one_request(s3: S3FileSystem, s3_root: str, requests: _RequestLog) -> None:
    with s3.open_write(f"{s3_root}/here.pkl") as stream:
        stream.write(b"1")
    requests.operations.clear()
    assert s3.exists(f"{s3_root}/here.pkl")
    assert len(requests.operations) == 1


def test_exists_many_lists_a_crowded_directory(s3: S3FileSystem, s3_root: str, requests: _RequestLog) -> None:
    paths = [f"{s3_root}/crowd/{index:04d}.pkl" for index in range(200)]
    for path in paths[::7]:
        with s3.open_write(path) as stream:
            stream.write(b"1")
    requests.operations.clear()
    assert s3.exists_many(paths) == [index % 7 == 0 for index in range(200)]
    assert requests.operations == ["ListObjectsV2"]


def test_large_objects_are_uploaded_in_parts(s3: S3FileSystem, s3_root: str) -> None:
    path = f"{s3_root}/big.bin"
    with s3.open_write(path) as stream:
        stream.write(b"\x01" * (9 * 1024 * 1024))
    etag = s3.client.head_object(Bucket=s3_root[5:], Key="big.bin")["ETag"]
    assert etag.strip('"').endswith("-2"), etag  # multipart ETags are "<md5>-<number of parts>"
    assert s3.size(path) == 9 * 1024 * 1024


def test_non_ascii_metadata_is_refused_before_anything_is_written(s3: S3FileSystem, s3_root: str) -> None:
    with pytest.raises(ValueError, match="ASCII"), s3.open_write(f"{s3_root}/m.txt", metadata={"k": "é"}):
        pass
    assert not s3.exists(f"{s3_root}/m.txt")


def test_reads_stream_without_seeking(s3: S3FileSystem, s3_root: str) -> None:
    path = f"{s3_root}/stream.bin"
    with s3.open_write(path) as stream:
        stream.write(b"abc")
    with s3.open_read(path) as stream:
        assert stream.read(1) == b"a"
        assert stream.read() == b"bc"


def test_client_is_built_once_per_file_system(s3: S3FileSystem, s3_root: str) -> None:
    assert s3.client is s3.client
    assert kart_storage.filesystem_for(f"{s3_root}/other") is s3


def test_the_bucket_itself_exists(s3: S3FileSystem, s3_root: str) -> None:
    assert s3.exists(s3_root)
    assert s3.exists(s3_root + "/")
    with pytest.raises(StorageConfigurationError, match="no-such-bucket-kart"):
        s3.exists("s3://no-such-bucket-kart")


def test_missing_bucket_is_a_configuration_error_naming_it(s3_server: Server) -> None:
    filesystem = kart_storage.filesystem_for("s3://no-such-bucket-kart/x.pkl")
    for action in (
        lambda: filesystem.exists("s3://no-such-bucket-kart/x.pkl"),
        lambda: filesystem.open_read("s3://no-such-bucket-kart/x.pkl").__enter__(),
    ):
        with pytest.raises(StorageConfigurationError, match="no-such-bucket-kart"):
            action()
    for size in (1, 9 * 1024 * 1024):  # a single PUT and a multipart upload
        with (
            pytest.raises(StorageConfigurationError, match="no-such-bucket-kart"),
            filesystem.open_write("s3://no-such-bucket-kart/x.pkl") as stream,
        ):
            stream.write(b"1" * size)


def test_missing_credentials_say_what_to_set(s3_root: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    filesystem = S3FileSystem(S3Config())
    with pytest.raises(StorageConfigurationError, match="AWS_ACCESS_KEY_ID") as caught:
        filesystem.exists(f"{s3_root}/x.pkl")
    assert s3_root[5:] in str(caught.value)


def test_settings_object_gives_endpoint_and_credential_variable_names(
    s3_server: Server, s3_root: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("MY_KEY_ID", "kart-testing")
    monkeypatch.setenv("MY_SECRET", "kart-testing")
    config = S3Config(
        aws_access_key_id_name="MY_KEY_ID",
        aws_secret_access_key_name="MY_SECRET",
        endpoint_url=f"http://{s3_server.address}",
        region_name="us-east-1",
    )
    filesystem = S3FileSystem(config)
    with filesystem.open_write(f"{s3_root}/configured.txt") as stream:
        stream.write(b"via settings")
    assert filesystem.exists(f"{s3_root}/configured.txt")
    assert filesystem.client.meta.endpoint_url == f"http://{s3_server.address}"


def test_kart_storage_imports_without_boto3_and_names_the_extra() -> None:
    script = (
        "import sys\n"
        "sys.modules['boto3'] = None\n"
        "import kart_storage\n"
        "kart_storage.make_target('/tmp/x.pkl')\n"
        "try:\n"
        "    kart_storage.filesystem_for('s3://bucket/x.pkl')\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "kart-storage[s3]" in finished.stdout
