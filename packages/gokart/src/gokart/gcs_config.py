"""gokart.gcs_config: `[GCSConfig]` (name of the credential variable) read through luigi's configuration."""

from __future__ import annotations

from typing import Any

import luigi

import kart_storage


class GCSConfig(luigi.Config):
    gcs_credential_name = luigi.Parameter(
        default="GCS_CREDENTIAL", description="GCS credential environment variable name."
    )

    def storage_config(self) -> kart_storage.GCSConfig:
        return kart_storage.GCSConfig(gcs_credential_name=str(self.gcs_credential_name))

    def get_gcs_client(self) -> Any:
        """A google-cloud-storage client with these credentials (upstream returned a googleapiclient one)."""
        return kart_storage.GCSFileSystem(self.storage_config()).client


def _gcs_filesystem() -> kart_storage.FileSystem:
    return kart_storage.GCSFileSystem(GCSConfig().storage_config())


kart_storage.register_filesystem("gs", _gcs_filesystem)

__all__ = ["GCSConfig"]
