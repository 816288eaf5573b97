"""S3 and GCS for the meta-package: gokart's settings behind kart-storage's file systems, and gokart's
ImportError text when an extra is missing (raised at first use, never when gokart is imported)."""

from __future__ import annotations

import kart_storage

S3_MISSING = "S3 support requires additional dependencies. Install them with: pip install gokart[s3]"
GCS_MISSING = "GCS support requires additional dependencies. Install them with: pip install gokart[gcs]"


def require_s3() -> None:
    """boto3 imports, or gokart's ImportError (an import statement, so a patched __import__ counts)."""
    try:
        import boto3  # noqa: F401
    except ImportError:
        raise ImportError(S3_MISSING) from None


def require_gcs() -> None:
    """google-cloud-storage imports, or gokart's ImportError."""
    try:
        from google.cloud import storage  # noqa: F401
    except ImportError:
        raise ImportError(GCS_MISSING) from None


def _s3_filesystem() -> kart_storage.FileSystem:
    require_s3()
    from gokart.s3_config import S3Config  # loaded at first S3 use, as gokart loads it

    return kart_storage.S3FileSystem(S3Config().storage_config())


def _gcs_filesystem() -> kart_storage.FileSystem:
    require_gcs()
    from gokart.gcs_config import GCSConfig

    return kart_storage.GCSFileSystem(GCSConfig().storage_config())


def register() -> None:
    """Make `s3://` and `gs://` paths use `[S3Config]`/`[GCSConfig]` and luigi's `[s3]` section."""
    kart_storage.register_filesystem("s3", _s3_filesystem)
    kart_storage.register_filesystem("gs", _gcs_filesystem)


def filesystem(path: str) -> kart_storage.FileSystem:
    """The kart-storage file system that holds `path`."""
    return kart_storage.filesystem_for(path)
