"""gokart's ImportError text when an extra is missing (raised at first use, never when gokart is imported),
and the kart-storage file system that holds a path. A leaf: the config modules and the clients import it."""

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


def filesystem(path: str) -> kart_storage.FileSystem:
    """The kart-storage file system that holds `path`."""
    return kart_storage.filesystem_for(path)
