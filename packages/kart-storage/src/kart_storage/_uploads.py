"""Unfinished multipart uploads under a prefix: parts a killed writer left behind, invisible to listings
of objects but stored (and billed) until aborted. Only S3 has them; every other store lists none."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from ._filesystem import filesystem_for


@dataclass(frozen=True)
class UnfinishedUpload:
    """A multipart upload begun at `initiated` (UTC) for the object `path` and never completed."""

    path: str
    upload_id: str
    initiated: datetime


@runtime_checkable
class UploadListingFileSystem(Protocol):
    """A file system whose writes can leave unfinished uploads behind (S3)."""

    def iter_unfinished_uploads(self, prefix: str) -> Iterator[UnfinishedUpload]:
        """Every unfinished upload of an object under the directory `prefix`: one request per 1,000."""
        ...

    def abort_upload(self, upload: UnfinishedUpload) -> None:
        """Abort `upload`, freeing its parts (an upload already gone is not an error)."""
        ...


def list_unfinished_uploads(prefix: str) -> list[UnfinishedUpload]:
    """Unfinished uploads under the directory `prefix`, oldest first; none on a store without them."""
    filesystem = filesystem_for(prefix)
    if not isinstance(filesystem, UploadListingFileSystem):
        return []
    return sorted(filesystem.iter_unfinished_uploads(prefix), key=_by_start)


def abort_unfinished_upload(upload: UnfinishedUpload) -> None:
    """Abort `upload` on its store."""
    filesystem = filesystem_for(upload.path)
    if isinstance(filesystem, UploadListingFileSystem):
        filesystem.abort_upload(upload)


def _by_start(upload: UnfinishedUpload) -> tuple[datetime, str]:
    return upload.initiated, upload.path


__all__ = [
    "UnfinishedUpload",
    "UploadListingFileSystem",
    "abort_unfinished_upload",
    "list_unfinished_uploads",
]
