"""The built-in file systems, registered by scheme when kart_storage is imported.

S3 and GCS import their client libraries only when a `s3://` / `gs://` path is first used.
"""

from __future__ import annotations

from kart_storage._filesystem import register_filesystem

from .gcs import GCSConfig, GCSFileSystem
from .local import LocalFileSystem, without_fsync
from .memory import MemoryFileSystem
from .s3 import S3Config, S3FileSystem

__all__ = [
    "GCSConfig",
    "GCSFileSystem",
    "LocalFileSystem",
    "MemoryFileSystem",
    "S3Config",
    "S3FileSystem",
    "configure_gcs",
    "configure_local",
    "configure_s3",
    "register_builtin_filesystems",
    "without_fsync",
]


def configure_s3(config: S3Config | None = None) -> None:
    """Use `config` for every `s3://` path from now on (a new client; credentials re-read)."""
    register_filesystem("s3", lambda: S3FileSystem(config))


def configure_gcs(config: GCSConfig | None = None) -> None:
    """Use `config` for every `gs://` path from now on (a new client; credentials re-read)."""
    register_filesystem("gs", lambda: GCSFileSystem(config))


def configure_local(*, durable: bool | None = None) -> None:
    """Choose whether local writes fsync before publishing (None: the `KART_LOCAL_FSYNC` default)."""
    register_filesystem("file", lambda: LocalFileSystem(durable=durable))


def register_builtin_filesystems() -> None:
    """kart-storage's own file systems, as defaults: a host package's default may replace them, while a
    user's `configure_*` call (before or after) wins over both."""
    register_filesystem("file", LocalFileSystem, default=True)
    register_filesystem("memory", MemoryFileSystem, default=True)
    register_filesystem("s3", S3FileSystem, default=True)
    register_filesystem("gs", GCSFileSystem, default=True)
