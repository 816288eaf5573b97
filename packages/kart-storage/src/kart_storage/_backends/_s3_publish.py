"""Conditional publishing on S3: the last step of an upload only succeeds on the object state it expects.

`If-None-Match: *` (create: nothing may exist) and `If-Match: <etag>` (replace exactly the object seen
when the write began) on PutObject and on CompleteMultipartUpload, which is where a multipart upload
becomes visible. A publish guard (see `_publish_guard`) is asked right before that request. Stores
that do not implement the conditions (HTTP 501) get the same request without them, after the guard
was asked once more, and a warning says what is lost.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any, BinaryIO

from kart_storage._publish_guard import check_before_publish

logger = logging.getLogger("kart_storage")

#: Request arguments of a condition: {"IfNoneMatch": "*"} or {"IfMatch": "<etag>"}.
Condition = dict[str, str]
CREATE: Condition = {"IfNoneMatch": "*"}
_UNSUPPORTED_CODES = {"NotImplemented", "501"}


def condition_for(etag: str | None) -> Condition:
    """The condition that holds only while the key is as it was seen: absent (None) or at `etag`."""
    return dict(CREATE) if etag is None else {"IfMatch": etag}


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return ""
    return str(response.get("Error", {}).get("Code", ""))


def _conditionally(
    send: Callable[..., Any],
    condition: Condition,
    path: str,
    rewind: Callable[[], object],
    optional: bool,
    **request: Any,
) -> Any:
    """`send(**request, **condition)`; when the condition is `optional` and the store does not know it,
    once more without."""
    try:
        return send(**request, **condition)
    except Exception as error:
        if not optional or _error_code(error) not in _UNSUPPORTED_CODES:
            raise
    logger.warning(
        "the S3 store does not support conditional writes (%s): %s is published without one, so a "
        "writer whose lock was lost after its last check could still replace it",
        ", ".join(condition),
        path,
    )
    check_before_publish(path)
    rewind()
    return send(**request)


def put(
    client: Any,
    bucket: str,
    key: str,
    path: str,
    body: BinaryIO,
    extra: dict[str, Any],
    condition: Condition,
    *,
    optional: bool,
) -> None:
    """One PutObject carrying `condition`, the guard asked just before it. `optional`: a store without
    conditional writes gets the plain request (a lock's fencing); otherwise (create-only) it fails."""
    start = body.tell()
    check_before_publish(path)
    _conditionally(
        client.put_object,
        condition,
        path,
        lambda: body.seek(start),
        optional,
        Bucket=bucket,
        Key=key,
        Body=body,
        **extra,
    )


def multipart(
    client: Any,
    bucket: str,
    key: str,
    path: str,
    body: BinaryIO,
    chunksize: int,
    extra: dict[str, Any],
    condition: Condition,
    *,
    optional: bool,
) -> None:
    """A multipart upload whose completion carries `condition` (the guard asked just before it); aborted
    on any failure, so no invisible parts are left to pay for."""
    upload_id = client.create_multipart_upload(Bucket=bucket, Key=key, **extra)["UploadId"]
    try:
        parts = []
        number = 1
        while chunk := body.read(chunksize):
            answer = client.upload_part(
                Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=chunk
            )
            parts.append({"PartNumber": number, "ETag": answer["ETag"]})
            number += 1
        check_before_publish(path)
        _conditionally(
            client.complete_multipart_upload,
            condition,
            path,
            lambda: None,
            optional,
            Bucket=bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": parts},
        )
    except BaseException:
        with contextlib.suppress(Exception):
            client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise
