"""S3 listings, page by page (1,000 keys per request): objects, and unfinished multipart uploads
(which are aborted one by one)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from typing import Any

from kart_storage._uploads import UnfinishedUpload


def objects(
    client: Any, bucket: str, prefix: str, *, delimited: bool = False, after: str = ""
) -> Iterator[Any]:
    """The listed items (dicts with Key, Size, LastModified) under `prefix`, one LIST per page of
    1,000, starting after `after` when that sorts past the prefix."""
    kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    if delimited:
        kwargs["Delimiter"] = "/"
    if after > prefix:
        kwargs["StartAfter"] = after
    while True:
        page = client.list_objects_v2(**kwargs)
        yield from page.get("Contents", [])
        if not page.get("IsTruncated"):
            return
        kwargs["ContinuationToken"] = page["NextContinuationToken"]


def unfinished(client: Any, bucket: str, key_prefix: str, head: str) -> Iterator[UnfinishedUpload]:
    """Uploads of keys under `key_prefix`, paths spelled `<head><key>`: one request per 1,000."""
    kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": key_prefix}
    while True:
        page = client.list_multipart_uploads(**kwargs)
        for item in page.get("Uploads", []):
            yield UnfinishedUpload(
                f"{head}{item['Key']}", str(item["UploadId"]), item["Initiated"].astimezone(UTC)
            )
        if not page.get("IsTruncated"):
            return
        kwargs["KeyMarker"] = page["NextKeyMarker"]
        kwargs["UploadIdMarker"] = page["NextUploadIdMarker"]


def abort(client: Any, bucket: str, key: str, upload_id: str) -> None:
    """Abort one upload; one already aborted or completed (NoSuchUpload) is not an error."""
    from botocore.exceptions import ClientError

    try:
        client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchUpload":
            raise
