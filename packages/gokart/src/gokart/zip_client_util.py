"""gokart.zip_client_util: the zip client for a path (S3, GCS or local disk)."""

from __future__ import annotations

from gokart.object_storage import ObjectStorage
from gokart.zip_client import LocalZipClient, ZipClient


def make_zip_client(file_path: str, temporary_directory: str) -> ZipClient:
    if ObjectStorage.if_object_storage_path(file_path):
        return ObjectStorage.get_zip_client(file_path, temporary_directory)
    return LocalZipClient(file_path, temporary_directory)


__all__ = ["make_zip_client"]
