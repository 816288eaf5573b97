"""gokart.gcs_config: `[GCSConfig]` (name of the credential variable) read through luigi's configuration."""

from __future__ import annotations

from typing import Any

import luigi

import kart_storage
from gokart._extras import require_gcs
from gokart._luigi_compat import StrParameter


class GCSConfig(luigi.Config):
    gcs_credential_name = StrParameter(
        default="GCS_CREDENTIAL", description="GCS credential environment variable name."
    )
    _client: Any = None

    def storage_config(self) -> kart_storage.GCSConfig:
        return kart_storage.GCSConfig(gcs_credential_name=str(self.gcs_credential_name))

    def get_gcs_client(self) -> Any:
        """A google-cloud-storage client with these credentials, made once per config instance
        (gokart returned luigi's googleapiclient-based GCSClient; kart's GCS runs on google-cloud-storage)."""
        if self._client is None:
            self._client = self._get_gcs_client()
        return self._client

    def _get_gcs_client(self) -> Any:
        require_gcs()
        return kart_storage.GCSFileSystem(self.storage_config()).client

    def _load_oauth_credentials(self) -> Any:
        """Service-account credentials from the variable (a JSON file path or the JSON), or None."""
        require_gcs()
        return self.storage_config().load_credentials()


__all__ = ["GCSConfig"]
