"""Local disk: writes go to a sibling temporary file that is renamed over the target on success."""

from __future__ import annotations

import contextlib
import contextvars
import os
import random
import secrets
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import BinaryIO

from kart_storage._errors import StorageConfigurationError, TargetExistsError, TargetNotFoundError
from kart_storage._listing import StoredObject
from kart_storage._publish_guard import check_before_publish

from ._writer_lock import writers_lock

#: entered just before the rename (or link) that publishes a file and left just after it: how sealed
#: writes put their sidecar steps around the publication, under `LocalFileSystem.writers_lock`
PublishStep = Callable[[], AbstractContextManager[object]]

_TEMP_MARKER = "-kart-tmp-"


def _temporary_name(path: str) -> str:
    """A sibling name for an atomic write.

    It takes one `random.randrange(0, 10_000_000_000)` draw from the global `random` module, as luigi's
    LocalTarget does for its temporary file: a task seeded with gokart's `fix_random_seed_value` then
    draws the same numbers after each dump as it does on gokart. The random token keeps names unique
    across processes whose `random` state is the same (forked, or seeded alike)."""
    return f"{path}{_TEMP_MARKER}{random.randrange(0, 10_000_000_000):010d}-{secrets.token_hex(4)}"


def _fsync_directory(directory: str) -> None:
    """Persist the rename itself; some platforms cannot open directories, which is harmless."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


#: set to 0 to skip fsync on local writes (see LocalFileSystem)
DURABLE_ENV = "KART_LOCAL_FSYNC"


_relaxed: contextvars.ContextVar[bool] = contextvars.ContextVar("kart_local_relaxed", default=False)


@contextlib.contextmanager
def without_fsync() -> Iterator[None]:
    """Local writes in this block skip fsync (still atomic against a killed process): for files whose
    loss in a power failure costs nothing, such as a task's supplementary logs."""
    token = _relaxed.set(True)
    try:
        yield
    finally:
        _relaxed.reset(token)


def _durable_default() -> bool:
    return os.environ.get(DURABLE_ENV, "1").strip().lower() not in {"0", "false", "no", "off"}


def _link(staging: str, path: str) -> None:
    try:
        os.link(staging, path)
    except FileExistsError:
        raise TargetExistsError(path) from None
    except OSError as exc:
        raise StorageConfigurationError(
            f"create-only write of {path} needs hard links, which this file system refused: {exc}"
        ) from exc


class LocalFileSystem:
    """Plain paths on local disk (gokart's default backend), with crash-safe atomic publish.

    Writes always go to a temporary sibling that is renamed into place, so a killed process never leaves a
    partial file behind. `durable` (default on, `KART_LOCAL_FSYNC=0` turns it off) adds the fsyncs that
    also survive a power loss or kernel crash; they cost about as much as writing the data once more.
    """

    def __init__(self, durable: bool | None = None) -> None:
        self.durable = _durable_default() if durable is None else durable

    def exists(self, path: str) -> bool:
        return os.path.exists(path)

    def exists_many(self, paths: Sequence[str]) -> list[bool]:
        # A stat is a few microseconds: threads would only add overhead here.
        return [os.path.exists(path) for path in paths]

    def iter_objects(self, prefix: str) -> Iterator[StoredObject]:
        """Every file under the directory `prefix` (an os.scandir walk; symlinks are not followed, a
        missing directory lists nothing). Paths keep the prefix's spelling."""
        pending = [prefix]
        while pending:
            directory = pending.pop()
            try:
                entries = list(os.scandir(directory))
            except (FileNotFoundError, NotADirectoryError):
                continue
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    try:
                        status = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        continue  # removed since the directory was read
                    modified = datetime.fromtimestamp(status.st_mtime, tz=UTC)
                    yield StoredObject(entry.path, status.st_size, modified)

    @contextlib.contextmanager
    def open_read(self, path: str) -> Iterator[BinaryIO]:
        try:
            stream = open(path, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            raise TargetNotFoundError(path) from None
        with stream:
            yield stream

    @contextlib.contextmanager
    def open_write(
        self,
        path: str,
        *,
        metadata: Mapping[str, str] | None = None,
        around_publish: PublishStep | None = None,
    ) -> Iterator[BinaryIO]:
        """`metadata` has no place on local disk and is ignored; `around_publish` (see PublishStep)."""
        with self._atomic_write(path, guarded=True, around_publish=around_publish) as stream:
            yield stream

    def writers_lock(self, path: str) -> AbstractContextManager[None]:
        """Exclusive among the writers of `path` (see `_writer_lock`): sealed writes hold it around the
        publication, so two writers' data and sidecar steps never interleave."""
        return writers_lock(path)

    @contextlib.contextmanager
    def _atomic_write(
        self, path: str, *, guarded: bool, around_publish: PublishStep | None = None
    ) -> Iterator[BinaryIO]:
        """Temporary sibling renamed over `path`; `guarded`: publish guards are asked before the rename
        (open_create's staging file is not a publication: the link is)."""
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        temporary = _temporary_name(path)
        # os.open with 0o666 lets the umask decide permissions, as a plain open() would.
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        published = False
        try:
            durable = self.durable and not _relaxed.get()
            with os.fdopen(handle, "wb") as stream:
                yield stream
                stream.flush()
                if durable:
                    os.fsync(stream.fileno())
            if guarded:
                check_before_publish(path)  # last, after the slow part: a lost lock leaves nothing visible
            with around_publish() if around_publish is not None else contextlib.nullcontext():
                os.replace(temporary, path)
                published = True
                if durable:
                    _fsync_directory(directory)
        finally:
            if not published:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(temporary)

    @contextlib.contextmanager
    def open_create(
        self,
        path: str,
        *,
        metadata: Mapping[str, str] | None = None,
        around_publish: PublishStep | None = None,
    ) -> Iterator[BinaryIO]:
        """Writes a complete staging file, then hard-links it to `path`: link(2) fails when `path` exists,
        so of two racing writers exactly one publishes and the other gets TargetExistsError."""
        if os.path.lexists(path):
            raise TargetExistsError(path)  # fail before writing anything when the race is already lost
        staging = f"{path}{_TEMP_MARKER}{secrets.token_hex(6)}-staged"
        with self._atomic_write(staging, guarded=False) as stream:
            yield stream
        try:
            check_before_publish(path)
            with around_publish() if around_publish is not None else contextlib.nullcontext():
                _link(staging, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(staging)
        if self.durable:
            _fsync_directory(os.path.dirname(os.path.abspath(path)))

    def remove(self, path: str) -> None:
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
        except FileNotFoundError:
            raise TargetNotFoundError(path) from None

    def last_modified(self, path: str) -> datetime:
        try:
            seconds = os.stat(path).st_mtime
        except FileNotFoundError:
            raise TargetNotFoundError(path) from None
        return datetime.fromtimestamp(seconds, tz=UTC)

    def size(self, path: str) -> int:
        """The file's size in bytes (TargetNotFoundError when missing)."""
        try:
            return os.stat(path).st_size
        except FileNotFoundError:
            raise TargetNotFoundError(path) from None
