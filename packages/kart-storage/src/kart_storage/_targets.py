"""Targets: one stored object with gokart's dump/load/exists/remove/path/last_modification_time.

A target finds its file system from its path (`filesystem_for`) and its format from its processor.
An optional lock (any context-manager factory; kart-task plugs kart-lock in) guards dump, load and
remove the way gokart's redis wrappers do: dump takes the lock, re-checks existence and silently skips
when another worker already wrote the target; load waits for the lock to be free, then reads; remove
takes the lock when the target exists.
"""

from __future__ import annotations

import abc
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any, BinaryIO, ClassVar, NamedTuple, cast

from ._errors import CorruptTargetError, KartStorageError, StorageConfigurationError, TargetNotFoundError
from ._filesystem import CreateOnlyFileSystem, FileSystem, filesystem_for, scheme_of
from ._integrity import (
    IntegrityPolicy,
    VerifyOption,
    compute_seal,
    keeps_metadata,
    read_seal,
    remove_sidecar,
    replace_with_sidecar,
    resolve_signing_key,
    resolve_verify,
    write_sidecar,
)
from ._labels import task_state_labels
from ._naming import make_file_path
from ._processors.base import FileProcessor
from ._registry import make_file_processor

#: task parameters for GCS labels, or a callable giving them (evaluated only when labels are written)
TaskParams = Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None

#: builds the context manager held around dump / load / remove (e.g. a redis lock)
LockFactory = Callable[[], AbstractContextManager[Any]]

_SPOOL_IN_MEMORY = 64 * 2**20
#: what libraries raise for a value their format cannot hold; a dump reports all of them as TypeError
_UNSTORABLE = (TypeError, ValueError, OverflowError, AttributeError, RecursionError, pickle.PicklingError)


def _is_library_panic(error: BaseException) -> bool:
    """Rust extensions (polars) turn a panic on malformed input into pyo3's PanicException, which derives
    from BaseException; it means "this input is bad", not "stop the program"."""
    return type(error).__name__ == "PanicException"


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive value from a third-party file system is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class LockWrappers(NamedTuple):
    """gokart's three lock wrappers (`wrap_dump_with_lock(func, task_lock_params, exist_check)`,
    `wrap_load_with_lock(func, task_lock_params)`, `wrap_remove_with_lock(func, task_lock_params)`),
    installed by the layer that knows the lock backend; kart-storage only calls them."""

    dump: Callable[[Callable[..., Any], Any, Callable[[], bool]], Callable[..., Any]]
    load: Callable[[Callable[..., Any], Any], Callable[..., Any]]
    remove: Callable[[Callable[..., Any], Any], Callable[..., Any]]


_lock_wrappers: list[LockWrappers] = []  # at most one: the installed wrappers


def set_lock_wrappers(wrappers: LockWrappers | None) -> None:
    """Install (or, with None, remove) the wrappers used by targets that report lock parameters."""
    _lock_wrappers[:] = [wrappers] if wrappers is not None else []


def _resolved(value: Any) -> Any:
    return value() if callable(value) else value


class TargetOnKart(abc.ABC):
    """What gokart tasks read and write. Subclasses implement the underscored hooks.

    A lock guards dump, load and remove in one of two ways: a `lock` factory (kart-storage's own), or
    lock parameters reported by `_get_task_lock_params()` and handed to the installed `LockWrappers`
    (gokart's way; kart-task installs kart-lock's). Subclasses written for gokart do not call
    `__init__` and may use a `_lock` attribute of their own, so the base keeps its state under
    `_kart_*` names with class-level defaults.
    """

    _kart_lock: LockFactory | None = None
    _kart_lock_params: Any = None
    #: True where `_dump` accepts task_params / required_task_outputs as callables evaluated on demand
    _kart_lazy_labels: ClassVar[bool] = False

    def __init__(self, lock: LockFactory | None = None, lock_params: Any = None) -> None:
        self._kart_lock = lock
        self._kart_lock_params = lock_params

    @property
    def lock(self) -> LockFactory | None:
        return self._kart_lock

    def _get_task_lock_params(self) -> Any:
        """The lock parameters given at construction (kart-lock's TaskLockParams when made by a task)."""
        return self._kart_lock_params

    def _wrappers_and_params(self) -> tuple[LockWrappers, Any] | None:
        if not _lock_wrappers:
            return None
        params = self._get_task_lock_params()
        return (_lock_wrappers[0], params) if params is not None else None

    def exists(self) -> bool:
        return self._exists()

    def load(self) -> Any:
        by_params = self._wrappers_and_params()
        if by_params is not None:
            wrappers, params = by_params
            return wrappers.load(self._load, params)()
        lock = self._kart_lock
        if lock is not None:
            with lock():
                pass  # a barrier: wait until no writer holds the lock, then read unlocked (writes are atomic)
        return self._load()

    def dump(
        self,
        obj: Any,
        lock_at_dump: bool = True,
        task_params: TaskParams = None,
        custom_labels: Mapping[str, Any] | None = None,
        required_task_outputs: Any = None,
    ) -> None:
        if not self._kart_lazy_labels:
            # a target written for gokart receives the values, as gokart passed them
            task_params = _resolved(task_params)
            required_task_outputs = _resolved(required_task_outputs)
        labels: dict[str, Any] = {
            "task_params": task_params,
            "custom_labels": custom_labels,
            "required_task_outputs": required_task_outputs,
        }
        if not lock_at_dump:
            self._dump(obj=obj, **labels)
            return
        by_params = self._wrappers_and_params()
        if by_params is not None:
            wrappers, params = by_params
            wrappers.dump(self._dump, params, self.exists)(obj=obj, **labels)
            return
        lock = self._kart_lock
        if lock is None:
            self._dump(obj=obj, **labels)
            return
        with lock():
            if self.exists():
                return  # another worker finished it while we waited: keep theirs, as gokart does
            self._dump(obj=obj, **labels)

    def remove(self) -> None:
        if not self.exists():
            return
        by_params = self._wrappers_and_params()
        if by_params is not None:
            wrappers, params = by_params
            wrappers.remove(self._remove, params)()
            return
        lock = self._kart_lock
        if lock is None:
            self._remove()
            return
        with lock():
            self._remove()

    def last_modification_time(self) -> datetime:
        return self._last_modification_time()

    def path(self) -> str:
        return self._path()

    @abc.abstractmethod
    def _exists(self) -> bool: ...

    @abc.abstractmethod
    def _load(self) -> Any: ...

    @abc.abstractmethod
    def _dump(
        self,
        obj: Any,
        task_params: TaskParams = None,
        custom_labels: Mapping[str, Any] | None = None,
        required_task_outputs: Any = None,
    ) -> None: ...

    @abc.abstractmethod
    def _remove(self) -> None: ...

    @abc.abstractmethod
    def _last_modification_time(self) -> datetime: ...

    @abc.abstractmethod
    def _path(self) -> str: ...

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._path()!r})"


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

    def _open_publish(self, metadata: Mapping[str, str] | None) -> AbstractContextManager[BinaryIO]:
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
            if not self._create_only:
                remove_sidecar(self._filesystem, self._file_path)  # a stale seal would fail later loads
            with self._open_publish(metadata) as raw:
                write(raw)
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
            if self._create_only:
                # the data's create decides the race; only the winner writes the seal
                with self._open_publish(metadata) as raw:
                    shutil.copyfileobj(spool, raw, 2**20)
                write_sidecar(self._filesystem, self._file_path, seal)
                return

            def publish() -> None:
                with self._open_publish(metadata) as raw:
                    shutil.copyfileobj(spool, raw, 2**20)

            replace_with_sidecar(self._filesystem, self._file_path, seal, publish)

    @contextmanager
    def _verified_reader(self) -> Iterator[BinaryIO]:
        """The stored bytes, seekable, after the seal check (nothing decodes a byte that failed it)."""
        with seekable_reader(self._filesystem, self._file_path) as raw:
            if self._integrity.active:
                recorded = read_seal(self._filesystem, self._file_path)
                actual = compute_seal(raw, self._integrity.signing_key)
                raw.seek(0)
                self._integrity.check(self._file_path, recorded, actual)
            yield raw

    @property
    def filesystem(self) -> FileSystem:
        return self._filesystem

    def _storage_location(self) -> tuple[FileSystem, str]:
        """(file system, path): existence is a plain file-system check, so exists_many can batch it."""
        return self._filesystem, self._file_path

    def _exists(self) -> bool:
        return self._filesystem.exists(self._file_path)

    def _remove(self) -> None:
        try:
            self._filesystem.remove(self._file_path)
        except TargetNotFoundError:
            pass  # removed by someone else between exists() and here: the goal is reached
        remove_sidecar(self._filesystem, self._file_path)

    def _last_modification_time(self) -> datetime:
        return as_utc(self._filesystem.last_modified(self._file_path))

    def _path(self) -> str:
        return self._file_path


class SingleFileTarget(FileBackedTarget):
    """One file written and read by one processor."""

    def __init__(
        self,
        path: str,
        processor: FileProcessor,
        *,
        lock: LockFactory | None = None,
        lock_params: Any = None,
        filesystem: FileSystem | None = None,
        integrity: IntegrityPolicy | None = None,
        create_only: bool = False,
    ) -> None:
        super().__init__(
            path,
            lock=lock,
            lock_params=lock_params,
            filesystem=filesystem,
            integrity=integrity,
            create_only=create_only,
        )
        self._processor = processor

    @property
    def processor(self) -> FileProcessor:
        return self._processor

    def _load(self) -> Any:
        processor = self._processor
        with self._verified_reader() as raw:
            try:
                with processor.format().reader(raw) as stream:
                    return processor.load(stream)
            except TargetNotFoundError:
                raise
            except ImportError as exc:
                # a missing library, or (pickles) a module the file names: still an ImportError, but
                # naming the file, since a damaged pickle can name any module
                raise ImportError(
                    f"cannot load {self._file_path} as {processor.format_name}: {exc}", name=exc.name
                ) from exc
            except BaseException as exc:
                if not isinstance(exc, Exception) and not _is_library_panic(exc):
                    raise  # KeyboardInterrupt, SystemExit...
                raise CorruptTargetError(
                    f"cannot load {self._file_path} as {processor.format_name}: {type(exc).__name__}: {exc}"
                ) from exc

    def _dump(
        self,
        obj: Any,
        task_params: TaskParams = None,
        custom_labels: Mapping[str, Any] | None = None,
        required_task_outputs: Any = None,
    ) -> None:
        processor = self._processor
        try:
            processor.check(obj)
        except TypeError as exc:
            raise TypeError(
                f"cannot dump to {self._file_path} with {processor.format_name}: {exc}"
                f" (expected {processor.expected_types}); nothing was written"
            ) from exc
        metadata = None
        if scheme_of(self._file_path) == "gs":  # gokart labels GCS objects only
            # the task layer may hand over callables: computing labels costs a walk of the task's inputs
            params = task_params() if callable(task_params) else task_params
            required = required_task_outputs() if callable(required_task_outputs) else required_task_outputs
            metadata = task_state_labels(self._file_path, params, custom_labels, required)

        def write(raw: BinaryIO) -> None:
            with processor.format().writer(raw) as stream:
                try:
                    processor.dump(obj, stream)
                except KartStorageError:
                    raise
                except BaseException as exc:
                    if not isinstance(exc, _UNSTORABLE) and not _is_library_panic(exc):
                        raise
                    # one documented type for "this value cannot be stored in this format", whatever the
                    # library raised (ArrowInvalid, OverflowError, PicklingError...); the cause is chained
                    raise TypeError(
                        f"cannot dump to {self._file_path} with {processor.format_name}:"
                        f" {type(exc).__name__}: {exc}; nothing was written"
                    ) from exc

        self._write(write, metadata or None)


def make_target(
    path: str,
    unique_id: str | None = None,
    processor: FileProcessor | None = None,
    *,
    lock: LockFactory | None = None,
    lock_params: Any = None,
    store_index_in_feather: bool = True,
    dataframe_type: str = "pandas",
    verify_integrity: VerifyOption = None,
    signing_key: bytes | str | None = None,
    create_only: bool = False,
) -> SingleFileTarget:
    """A target at `path` (with `_<unique_id>` before the last extension), its format chosen by the
    extension unless `processor` is given. Unknown extensions fail here, before any I/O.

    `verify_integrity` (True, "strict", False; default KART_VERIFY_INTEGRITY) records a sha256 at dump
    and checks it at load. `signing_key` (default KART_PICKLE_SIGNING_KEY) signs pickle-family files and
    refuses to load unsigned or wrongly signed ones. `create_only` never replaces an existing object:
    a dump that loses the race raises TargetExistsError. `lock_params` are handed to the installed
    `LockWrappers` (see `set_lock_wrappers`); `lock` is a plain lock factory."""
    file_path = make_file_path(path, unique_id)
    if processor is None:
        processor = make_file_processor(
            file_path, store_index_in_feather=store_index_in_feather, dataframe_type=dataframe_type
        )
    return SingleFileTarget(
        file_path,
        processor,
        lock=lock,
        lock_params=lock_params,
        integrity=integrity_policy(verify_integrity, signing_key, unpickles=processor.unpickles),
        create_only=create_only,
    )


def integrity_policy(
    verify_integrity: VerifyOption, signing_key: bytes | str | None, *, unpickles: bool
) -> IntegrityPolicy:
    """Arguments first, then the environment; a signing key only matters to formats that unpickle."""
    key = resolve_signing_key(signing_key) if unpickles else None
    return IntegrityPolicy(verify=resolve_verify(verify_integrity), signing_key=key)


def _batchable(target: Any) -> bool:
    """kart's own file-backed targets whose existence is the plain file-system check: a subclass that
    redefines exists (or anything else with an exists(), a Mock(spec=TargetOnKart) included) is asked."""
    kind = type(target)
    return (
        isinstance(target, FileBackedTarget)
        and kind.exists is TargetOnKart.exists
        and kind._exists is FileBackedTarget._exists
        and kind._storage_location is FileBackedTarget._storage_location
    )


def exists_many(targets: Iterable[Any]) -> list[bool]:
    """exists() of every target, in order; kart's file-backed targets on one file system are checked in
    one batched call, every other object by its own exists()."""
    items: Sequence[Any] = list(targets)
    results: list[bool | None] = [None] * len(items)
    groups: dict[int, tuple[FileSystem, list[int], list[str]]] = {}
    for position, target in enumerate(items):
        if not _batchable(target):
            results[position] = bool(target.exists())
            continue
        filesystem, path = target._storage_location()
        group = groups.setdefault(id(filesystem), (filesystem, [], []))
        group[1].append(position)
        group[2].append(path)
    for filesystem, positions, paths in groups.values():
        for position, found in zip(positions, filesystem.exists_many(paths), strict=True):
            results[position] = bool(found)
    return [bool(found) for found in results]
