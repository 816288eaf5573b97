"""`kart_storage._listing.list_objects`: every object under a directory prefix, with size and time,
from listings alone (one LIST request per page on S3 and GCS, never one per object)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import kart_storage
from _request_log import RequestLog
from _servers import Server
from kart_storage._listing import list_objects


def _write(path: str, data: bytes) -> None:
    with kart_storage.filesystem_for(path).open_write(path) as stream:
        stream.write(data)


def test_lists_every_object_under_the_prefix_with_size_and_time(store_root: str) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    workspace = f"{store_root}/ws"
    _write(f"{workspace}/a.pkl", b"12345")
    _write(f"{workspace}/deep/er/b.csv", b"1")
    _write(f"{workspace}/log/task_params/T_0.pkl", b"")
    _write(f"{store_root}/ws2/not-mine.pkl", b"xx")  # a sibling whose name starts with the prefix

    listed = list_objects(workspace)

    assert [(o.path, o.size) for o in listed] == [
        (f"{workspace}/a.pkl", 5),
        (f"{workspace}/deep/er/b.csv", 1),
        (f"{workspace}/log/task_params/T_0.pkl", 0),
    ]
    for found in listed:
        assert found.modified.tzinfo is not None
        assert before <= found.modified <= datetime.now(UTC) + timedelta(seconds=5)


def test_a_missing_prefix_lists_nothing(store_root: str) -> None:
    assert list_objects(f"{store_root}/nothing-here") == []


def test_listed_paths_are_the_paths_the_file_system_reads(store_root: str) -> None:
    _write(f"{store_root}/ws/x/y.bin", b"abc")
    (found,) = list_objects(f"{store_root}/ws/")
    with kart_storage.filesystem_for(found.path).open_read(found.path) as stream:
        assert stream.read() == b"abc"


def test_s3_lists_one_page_per_thousand_objects(s3_server: Server, s3_root: str) -> None:
    filesystem: Any = kart_storage.filesystem_for(s3_root + "/")
    bucket = s3_root.removeprefix("s3://")
    for index in range(1001):
        filesystem.client.put_object(Bucket=bucket, Key=f"ws/m/T_{index:04d}.pkl", Body=b"x")
    log = RequestLog(s3_server)

    listed = list_objects(f"{s3_root}/ws")

    assert len(listed) == 1001
    assert log.counts() == {"list": 2}


def test_gcs_lists_without_per_object_requests(gcs_server: Server, gcs_root: str) -> None:
    for index in range(30):
        _write(f"{gcs_root}/ws/m/T_{index:02d}.pkl", b"x")
    log = RequestLog(gcs_server)

    listed = list_objects(f"{gcs_root}/ws")

    assert len(listed) == 30
    assert log.counts() == {"list": 1}


def test_a_file_system_that_cannot_list_is_named() -> None:
    class Plain:
        pass

    kart_storage.register_filesystem("plain", lambda: Plain())  # type: ignore[arg-type,return-value]
    with pytest.raises(kart_storage.StorageArgumentError, match="plain://x"):
        list_objects("plain://x")


def _unfinished_upload(client: Any, bucket: str, key: str) -> str:
    upload_id = str(client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"])
    client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b"x" * 1024)
    return upload_id


def test_s3_lists_unfinished_uploads_page_by_page(s3_server: Server, s3_root: str) -> None:
    filesystem: Any = kart_storage.filesystem_for(s3_root + "/")
    bucket = s3_root.removeprefix("s3://")
    ids = {_unfinished_upload(filesystem.client, bucket, f"ws/T_{index}.pkl") for index in range(3)}
    _unfinished_upload(filesystem.client, bucket, "ws2/T_0.pkl")  # a sibling prefix: not listed
    log = RequestLog(s3_server)

    found = kart_storage.list_unfinished_uploads(f"{s3_root}/ws")

    assert {upload.upload_id for upload in found} == ids
    assert {upload.path for upload in found} == {f"{s3_root}/ws/T_{index}.pkl" for index in range(3)}
    assert log.counts() == {"list": 1}


def test_aborting_an_upload_twice_is_not_an_error(s3_root: str) -> None:
    filesystem: Any = kart_storage.filesystem_for(s3_root + "/")
    _unfinished_upload(filesystem.client, s3_root.removeprefix("s3://"), "ws/x/Gone.pkl")
    (upload,) = kart_storage.list_unfinished_uploads(f"{s3_root}/ws")
    kart_storage.abort_unfinished_upload(upload)
    kart_storage.abort_unfinished_upload(upload)
    assert kart_storage.list_unfinished_uploads(f"{s3_root}/ws") == []


def test_stores_without_multipart_uploads_list_none(tmp_path: Any) -> None:
    assert kart_storage.list_unfinished_uploads(str(tmp_path)) == []
    assert kart_storage.list_unfinished_uploads("memory://ws") == []
