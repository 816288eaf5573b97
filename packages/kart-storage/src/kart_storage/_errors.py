"""One family of errors for every backend and format, so callers catch one type wherever data lives."""

from __future__ import annotations


class KartStorageError(Exception):
    """Base of every error kart-storage raises on purpose."""


class TargetNotFoundError(KartStorageError, FileNotFoundError):
    """The object is missing; the same type on local disk, S3, GCS and memory."""

    def __init__(self, path: str) -> None:
        super().__init__(f"no such target: {path}")
        self.path = path


class UnsupportedExtensionError(KartStorageError, ValueError, AssertionError):
    """No processor is registered for a path's extension (an AssertionError too, as gokart raised one)."""


class CorruptTargetError(KartStorageError, ValueError):
    """A stored file could not be decoded by its format: the message names path and format."""


class StorageConfigurationError(KartStorageError, RuntimeError):
    """Credentials, bucket or endpoint are missing or wrong: the message says what to set."""
