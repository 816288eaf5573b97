"""gokart.s3_zip_client: a model archive on S3 (needs gokart[s3] when used, not when imported)."""

from __future__ import annotations

from gokart._extras import require_s3
from gokart._remote_zip import RemoteZipClient
from gokart.zip_client import ZipClient, _unzip_file  # noqa: F401 - names gokart has here


class S3ZipClient(RemoteZipClient):
    def __init__(self, file_path: str, temporary_directory: str) -> None:
        require_s3()
        super().__init__(file_path, temporary_directory)


__all__ = ["S3ZipClient"]
