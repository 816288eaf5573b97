"""gokart.gcs_zip_client: a model archive on GCS (needs gokart[gcs] when used, not when imported)."""

from __future__ import annotations

from gokart._extras import require_gcs
from gokart._remote_zip import RemoteZipClient
from gokart.zip_client import ZipClient, _unzip_file  # noqa: F401 - names gokart has here


class GCSZipClient(RemoteZipClient):
    def __init__(self, file_path: str, temporary_directory: str) -> None:
        require_gcs()
        super().__init__(file_path, temporary_directory)


__all__ = ["GCSZipClient"]
