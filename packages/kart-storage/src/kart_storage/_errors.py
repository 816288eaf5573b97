"""One family of errors for every backend and format, so callers catch one type wherever data lives."""

from __future__ import annotations

import errno
import os


class KartStorageError(Exception):
    """Base of every error kart-storage raises on purpose."""


class TargetNotFoundError(KartStorageError, FileNotFoundError):
    """The object is missing; the same type on local disk, S3, GCS and memory.

    Its text, `errno` and `filename` are those of the FileNotFoundError gokart raised for a missing
    output (`[Errno 2] No such file or directory: '<path>'`), whichever backend was asked."""

    def __init__(self, path: str) -> None:
        super().__init__(errno.ENOENT, os.strerror(errno.ENOENT), path)
        self.path = path

    def __reduce__(self) -> tuple[type[TargetNotFoundError], tuple[str]]:
        return type(self), (self.path,)


class UnsupportedExtensionError(KartStorageError, ValueError, AssertionError):
    """No processor is registered for a path's extension (an AssertionError too, as gokart raised one)."""


class CorruptTargetError(KartStorageError, ValueError):
    """A stored file could not be decoded by its format: the message names path and format."""


class StorageConfigurationError(KartStorageError, RuntimeError):
    """Credentials, bucket or endpoint are missing or wrong: the message says what to set."""


class IntegrityError(CorruptTargetError):
    """A stored file does not match the digest recorded when it was written (truncated, altered, or
    written without one under strict verification). Raised before the format reads a byte."""


class UntrustedPickleError(IntegrityError):
    """A pickle-family file is unsigned or wrongly signed while a signing key is configured: it is refused
    before anything is unpickled, so a shared bucket cannot run code on the workers that read it."""


class TargetExistsError(KartStorageError, FileExistsError):
    """A create-only write found the target already published (another worker won the race); nothing
    was overwritten."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path} already exists: a create-only write never replaces it (nothing was written)"
        )
        self.path = path


class UnsafePathError(KartStorageError, ValueError):
    """A path meant to stay inside a workspace is absolute, a URL, or climbs out of it with `..`."""


class IntegritySettingError(KartStorageError, ValueError):
    """The integrity switch (`verify_integrity=`, `KART_VERIFY_INTEGRITY`) is not one of its words."""


class MissingModuleError(KartStorageError, ImportError):
    """A file cannot be loaded: a module it needs does not import (a library, or one a pickle names)."""


class MissingExtraError(MissingModuleError):
    """An optional extra (boto3, google-cloud-storage, polars) is not installed; the message names it."""


class StorageArgumentError(KartStorageError, ValueError):
    """A value handed to kart-storage cannot work (a path, an extension, metadata, a target option)."""


class MissingInMemoryDataError(KartStorageError, ValueError):
    """An in-memory target was asked its modification time before anything was stored under its key."""


class MissingCacheEntryError(KartStorageError, AssertionError):
    """The in-memory repository was asked to remove a key it does not hold (gokart asserted this)."""


class UnstorableValueError(KartStorageError, TypeError):
    """A value cannot be stored in the target's format or its labels; nothing was written."""


class FeatherIndexError(KartStorageError, AssertionError):
    """`store_index_in_feather` cannot keep the index: its column name is taken, or it is named 'None'."""
