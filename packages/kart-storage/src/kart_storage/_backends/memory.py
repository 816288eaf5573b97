"""A process-local store for `memory://` paths: same semantics as disk, nothing touches disk."""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

from kart_storage._errors import TargetExistsError, TargetNotFoundError
from kart_storage._listing import StoredObject, directory_prefix
from kart_storage._publish_guard import check_before_publish, guarded, publish_conflict


@dataclass(frozen=True)
class _Entry:
    data: bytes
    modified: datetime
    metadata: dict[str, str] = field(default_factory=dict)


class MemoryFileSystem:
    """Objects kept in a dict keyed by the full path; thread-safe, published only on a clean exit."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def _entry(self, path: str) -> _Entry:
        with self._lock:
            entry = self._entries.get(path)
        if entry is None:
            raise TargetNotFoundError(path)
        return entry

    def exists(self, path: str) -> bool:
        with self._lock:
            return path in self._entries

    def exists_many(self, paths: Sequence[str]) -> list[bool]:
        with self._lock:
            return [path in self._entries for path in paths]

    def iter_objects(self, prefix: str) -> Iterator[StoredObject]:
        """Every stored path under the directory `prefix` (`memory://ws` lists `memory://ws/...`)."""
        start = directory_prefix(prefix)
        with self._lock:
            found = [
                StoredObject(path, len(entry.data), entry.modified)
                for path, entry in self._entries.items()
                if path.startswith(start)
            ]
        yield from found

    @contextlib.contextmanager
    def open_read(self, path: str) -> Iterator[BinaryIO]:
        with io.BytesIO(self._entry(path).data) as stream:
            yield stream

    @contextlib.contextmanager
    def open_read_with_metadata(self, path: str) -> Iterator[tuple[BinaryIO, dict[str, str]]]:
        """Bytes and metadata of one entry (one version), as S3's GET returns them together."""
        entry = self._entry(path)
        with io.BytesIO(entry.data) as stream:
            yield stream, dict(entry.metadata)

    @contextlib.contextmanager
    def open_write(self, path: str, *, metadata: Mapping[str, str] | None = None) -> Iterator[BinaryIO]:
        """Under a publish guard, publishes only if `path` still holds what it held when the write began
        (as S3's If-Match / If-None-Match)."""
        with self._lock:
            seen = self._entries.get(path)
        with io.BytesIO() as stream:
            yield stream
            entry = _Entry(stream.getvalue(), datetime.now(UTC), dict(metadata or {}))
        check_before_publish(path)
        with self._lock:
            conflict = guarded() and self._entries.get(path) is not seen
            if not conflict:
                self._entries[path] = entry
        if conflict:
            raise publish_conflict(path, TargetExistsError(path))

    @contextlib.contextmanager
    def open_create(self, path: str, *, metadata: Mapping[str, str] | None = None) -> Iterator[BinaryIO]:
        """Publishes only when `path` is still absent (checked and set under one lock)."""
        with io.BytesIO() as stream:
            yield stream
            entry = _Entry(stream.getvalue(), datetime.now(UTC), dict(metadata or {}))
        check_before_publish(path)
        with self._lock:
            if path in self._entries:
                raise TargetExistsError(path)
            self._entries[path] = entry

    def remove(self, path: str) -> None:
        with self._lock:
            if self._entries.pop(path, None) is None:
                raise TargetNotFoundError(path)

    def last_modified(self, path: str) -> datetime:
        return self._entry(path).modified

    def size(self, path: str) -> int:
        """The object's size in bytes (TargetNotFoundError when missing)."""
        return len(self._entry(path).data)

    def read_metadata(self, path: str) -> dict[str, str]:
        """The metadata given to `open_write` (a copy)."""
        return dict(self._entry(path).metadata)

    def clear(self) -> None:
        """Forget every object (tests and long-lived processes that reuse the store)."""
        with self._lock:
            self._entries.clear()
