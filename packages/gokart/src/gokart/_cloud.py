"""S3 and GCS for the meta-package: gokart's settings behind kart-storage's file systems, registered as
kart-storage defaults when gokart is imported (the config modules load at first S3/GCS use, as in gokart)."""

from __future__ import annotations

import kart_storage
from gokart._extras import require_gcs, require_s3


def _s3_filesystem() -> kart_storage.FileSystem:
    require_s3()
    from gokart.s3_config import S3Config  # loaded at first S3 use, as gokart loads it

    return kart_storage.S3FileSystem(S3Config().storage_config())


def _gcs_filesystem() -> kart_storage.FileSystem:
    require_gcs()
    from gokart.gcs_config import GCSConfig

    return kart_storage.GCSFileSystem(GCSConfig().storage_config())


def register() -> None:
    """Make `s3://` and `gs://` paths use `[S3Config]`/`[GCSConfig]` and luigi's `[s3]` section, as defaults:
    an explicit `kart_storage.configure_s3(...)`/`configure_gcs(...)`, made before `import gokart` or after,
    wins."""
    kart_storage.register_filesystem("s3", _s3_filesystem, default=True)
    kart_storage.register_filesystem("gs", _gcs_filesystem, default=True)
