"""Targets written and read by one file processor, chosen from the path's extension (`make_target`)."""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from typing import Any, BinaryIO

from ._errors import (
    CorruptTargetError,
    KartStorageError,
    MissingExtraError,
    MissingModuleError,
    TargetNotFoundError,
    UnstorableValueError,
)
from ._file_target import FileBackedTarget
from ._filesystem import FileSystem, scheme_of
from ._integrity import IntegrityPolicy, VerifyOption, integrity_policy
from ._labels import task_state_labels
from ._naming import make_file_path
from ._processors.base import FileProcessor
from ._registry import make_file_processor
from ._targets import LockFactory, TaskParams

#: what libraries raise for a value their format cannot hold; a dump reports all of them as TypeError
_UNSTORABLE = (TypeError, ValueError, OverflowError, AttributeError, RecursionError, pickle.PicklingError)


def _is_library_panic(error: BaseException) -> bool:
    """Rust extensions (polars) turn a panic on malformed input into pyo3's PanicException, which derives
    from BaseException; it means "this input is bad", not "stop the program"."""
    return type(error).__name__ == "PanicException"


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
        """The format this target reads and writes with."""
        return self._processor

    def _load(self) -> Any:
        processor = self._processor
        with self._verified_reader() as raw:
            damage = processor._stored_damage(raw)  # without a seal, what the file's ends can tell
            if damage is not None:
                raise CorruptTargetError(f"cannot load {self._file_path}: {damage}. Remove it and rebuild.")
            try:
                return processor._load_raw(raw)
            except TargetNotFoundError:
                raise
            except ImportError as exc:
                # a missing library, or (pickles) a module the file names: still an ImportError, but
                # naming the file, since a damaged pickle can name any module
                missing = MissingExtraError if isinstance(exc, MissingExtraError) else MissingModuleError
                raise missing(
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
            raise UnstorableValueError(
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
                    raise UnstorableValueError(
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
