"""Everything stored under a directory prefix, with sizes and times, from listings alone.

The cache inventory of kart-task attributes every file of a workspace; asking each object for its
size would cost one request per file, while a listing page carries a thousand of them (S3, GCS).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from ._errors import StorageArgumentError
from ._filesystem import filesystem_for


@dataclass(frozen=True)
class StoredObject:
    """One listed object: its full path (same spelling as the prefix asked), size and UTC write time."""

    path: str
    size: int
    modified: datetime


@runtime_checkable
class ListingFileSystem(Protocol):
    """A file system that can list a directory prefix (every built-in backend)."""

    def iter_objects(self, prefix: str) -> Iterator[StoredObject]:
        """Every object under the directory `prefix` (recursively), in the store's order, as listed."""
        ...


def list_objects(
    prefix: str, *, on_object: Callable[[StoredObject], None] | None = None
) -> list[StoredObject]:
    """Every object under the directory `prefix` (`s3://b/ws`, `gs://b/ws`, `memory://ws`, `/tmp/ws`),
    sorted by path: one LIST request per page on object stores, never one request per object.

    `on_object` is called with each object as it is listed (a progress bar on a long listing)."""
    filesystem = filesystem_for(prefix)
    if not isinstance(filesystem, ListingFileSystem):
        raise StorageArgumentError(f"the file system of {prefix!r} cannot list objects")
    found = []
    for stored in filesystem.iter_objects(prefix):
        if on_object is not None:
            on_object(stored)
        found.append(stored)
    return sorted(found, key=_by_path)


def _by_path(stored: StoredObject) -> str:
    return stored.path


def directory_prefix(key: str) -> str:
    """`ws` -> `ws/` so a listing of `ws` never includes `ws2/...`; the empty key (a bucket) stays empty."""
    return key if not key or key.endswith("/") else f"{key}/"


__all__ = ["ListingFileSystem", "StoredObject", "directory_prefix", "list_objects"]
