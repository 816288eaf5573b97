"""Targets stored as one object at one path of a file system (found from the path by `filesystem_for`):
sealed writes, verified seekable reads, and existence, removal and time as plain file-system calls.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast

from ._errors import StorageConfigurationError
from ._filesystem import CreateOnlyFileSystem, FileSystem, filesystem_for
from ._integrity import IntegrityPolicy, compute_seal, keeps_metadata
from ._seal_unit import PublishStep, open_sealed, publish_with_sidecar, remove_unit
from ._snapshot import snapshot
from ._targets import LockFactory, TargetOnKart

_SPOOL_IN_MEMORY = 64 * 2**20


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive value from a third-party file system is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _is_seekable(stream: Any) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError, OSError):
        return False


@contextmanager
def seekable_reader(filesystem: FileSystem, path: str) -> Iterator[BinaryIO]:
    """The stored bytes as a seekable binary stream (object-store bodies are spooled, upstream's S3 reads
    broke polars CSV/JSON and the pickle fallback because they could not seek)."""
    with filesystem.open_read(path) as raw:
        if _is_seekable(raw):
            yield raw
            return
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
            shutil.copyfileobj(raw, spool, 2**20)
            spool.seek(0)
            yield cast(BinaryIO, spool)


class FileBackedTarget(TargetOnKart):
    """A target stored as one object at one path of a file system: existence, removal, time and
    path are plain file-system calls (and batchable by exists_many).

    `integrity` seals what is written and checks it before it is read (see `_integrity`);
    `create_only` publishes with the store's atomic create, so a dump never replaces an existing object.
    """

    _kart_lazy_labels = True

    def __init__(
        self,
        path: str,
        *,
        lock: LockFactory | None = None,
        lock_params: Any = None,
        filesystem: FileSystem | None = None,
        integrity: IntegrityPolicy | None = None,
        create_only: bool = False,
    ) -> None:
        super().__init__(lock, lock_params)
        self._file_path = path
        self._filesystem = filesystem if filesystem is not None else filesystem_for(path)
        self._integrity = integrity if integrity is not None else IntegrityPolicy()
        self._create_only = create_only
        if create_only and not isinstance(self._filesystem, CreateOnlyFileSystem):
            raise StorageConfigurationError(
                f"create_only=True for {path}: {type(self._filesystem).__name__} has no open_create,"
                " so it cannot write without possibly replacing another worker's output"
            )

    @property
    def integrity(self) -> IntegrityPolicy:
        return self._integrity

    @property
    def create_only(self) -> bool:
        return self._create_only

    def _open_publish(
        self, metadata: Mapping[str, str] | None, around_publish: PublishStep | None = None
    ) -> AbstractContextManager[BinaryIO]:
        if around_publish is not None:  # offered only by file systems with a writers' lock (local disk)
            opener = getattr(self._filesystem, "open_create" if self._create_only else "open_write")
            opened = opener(self._file_path, metadata=metadata, around_publish=around_publish)
            return cast(AbstractContextManager[BinaryIO], opened)
        if self._create_only:
            return cast(CreateOnlyFileSystem, self._filesystem).open_create(
                self._file_path, metadata=metadata
            )
        return self._filesystem.open_write(self._file_path, metadata=metadata)

    def _write(self, write: Callable[[BinaryIO], None], metadata: Mapping[str, str] | None = None) -> None:
        """Publish what `write` writes to the stream it is given, sealed when the policy asks for it.

        Sealed content is spooled first (processors such as npz seek while writing, and the seal must be
        known before the object is published)."""
        if not self._integrity.active:
            if keeps_metadata(self._filesystem):
                with self._open_publish(metadata) as raw:
                    write(raw)
                return

            def publish_unsealed(step: PublishStep | None) -> None:
                with self._open_publish(metadata, step) as raw:
                    write(raw)

            # drops a stale sidecar (it would fail later loads), in turn with other writers
            publish_with_sidecar(
                self._filesystem,
                self._file_path,
                None,
                create_only=self._create_only,
                publish=publish_unsealed,
            )
            return
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
            write(cast(BinaryIO, spool))
            spool.seek(0)
            seal = compute_seal(cast(BinaryIO, spool), self._integrity.signing_key)
            spool.seek(0)
            if keeps_metadata(self._filesystem):
                with self._open_publish({**(metadata or {}), **seal.as_metadata()}) as raw:
                    shutil.copyfileobj(spool, raw, 2**20)
                return

            def publish(step: PublishStep | None) -> None:
                with self._open_publish(metadata, step) as raw:
                    shutil.copyfileobj(spool, raw, 2**20)

            # the sidecar steps around the rename, in turn with other writers (see _seal_unit)
            publish_with_sidecar(
                self._filesystem, self._file_path, seal, create_only=self._create_only, publish=publish
            )

    @contextmanager
    def _verified_reader(self) -> Iterator[BinaryIO]:
        """The stored bytes, seekable, after the seal check (nothing decodes a byte that failed it).

        A checked read decodes a private snapshot of exactly the bytes it hashed (`_snapshot`), never
        the stored file a second time: a rewrite after the hash cannot slip unchecked bytes in."""
        if not self._integrity.active:
            with seekable_reader(self._filesystem, self._file_path) as raw:
                yield raw
            return
        with snapshot() as copy:
            # the seal that belongs to these bytes: same response, or read just before (`_seal_unit`)
            with open_sealed(self._filesystem, self._file_path) as (raw, recorded):
                actual = copy.fill(raw, self._integrity.signing_key)
            recorded.check(self._integrity, self._file_path, actual)
            yield copy.stream()

    @property
    def filesystem(self) -> FileSystem:
        return self._filesystem

    def _storage_location(self) -> tuple[FileSystem, str]:
        """(file system, path): existence is a plain file-system check, so exists_many can batch it."""
        return self._filesystem, self._file_path

    def _exists(self) -> bool:
        return self._filesystem.exists(self._file_path)

    def _remove(self) -> None:
        # data, then its seal, in turn with writers; removed by someone else meanwhile: goal reached
        remove_unit(self._filesystem, self._file_path)

    def _last_modification_time(self) -> datetime:
        return as_utc(self._filesystem.last_modified(self._file_path))

    def _path(self) -> str:
        return self._file_path
