"""Unfinished multipart uploads (what a writer killed mid-upload leaves on S3) in the cache inventory
and the collection, against moto's S3 server."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

import kart_storage
import kart_task
from _request_log import RequestLog
from _servers import Server


@pytest.fixture
def bucket(s3_server: Server) -> tuple[str, Any]:
    name = f"kart-up-{uuid.uuid4().hex[:12]}"
    filesystem: Any = kart_storage.filesystem_for(f"s3://{name}/")
    filesystem.client.create_bucket(Bucket=name)
    return name, filesystem.client


def _begin_upload(client: Any, bucket: str, key: str) -> str:
    """A multipart upload with one part, never completed: a writer killed mid-upload."""
    upload_id = str(client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"])
    client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b"x" * 1024)
    return upload_id


def test_the_inventory_lists_unfinished_uploads_of_the_workspace_only(
    bucket: tuple[str, Any], s3_server: Server
) -> None:
    name, client = bucket
    mine = _begin_upload(client, name, "ws/pkg/Big_0123456789abcdef0123456789abcdef.pkl")
    _begin_upload(client, name, "other/Big_0123456789abcdef0123456789abcdef.pkl")
    log = RequestLog(s3_server)

    found = kart_task.cache_inventory(f"s3://{name}/ws", read_params=False)

    assert [(u.path, u.upload_id) for u in found.unfinished_uploads] == [
        (f"s3://{name}/ws/pkg/Big_0123456789abcdef0123456789abcdef.pkl", mine)
    ]
    assert found.tasks == []
    assert log.counts() == {"list": 2}  # the objects' page and the uploads' page


def test_a_collection_aborts_abandoned_uploads_and_keeps_recent_ones(bucket: tuple[str, Any]) -> None:
    name, client = bucket
    _begin_upload(client, name, "ws/pkg/Old_0123456789abcdef0123456789abcdef.pkl")
    workspace = f"s3://{name}/ws"
    (upload,) = kart_storage.list_unfinished_uploads(workspace)
    # moto reports one fixed `Initiated` for every upload: collections are placed relative to it
    soon_after = upload.initiated + timedelta(hours=1)
    days_after = upload.initiated + timedelta(days=2)

    recent = kart_task.plan_collection(workspace, older_than=timedelta(days=30), started_at=soon_after)
    assert recent.abandoned_uploads == []  # begun an hour before: a live writer may finish it
    plan = kart_task.plan_collection(workspace, older_than=timedelta(days=30), started_at=days_after)
    assert plan.abandoned_uploads == [upload]
    assert kart_storage.list_unfinished_uploads(workspace) == [upload]  # planning aborts nothing

    result = kart_task.apply_collection(plan)

    assert result.aborted_uploads == [upload]
    assert kart_storage.list_unfinished_uploads(workspace) == []
    assert client.list_multipart_uploads(Bucket=name).get("Uploads", []) == []
