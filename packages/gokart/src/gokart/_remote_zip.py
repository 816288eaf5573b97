"""What S3ZipClient and GCSZipClient share: the archive is built locally and stored through the
kart-storage file system of its path (one atomic upload; read back through a local spool)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile

from gokart._extras import filesystem
from gokart.zip_client import ZipClient, _unzip_file

_MIB = 1024 * 1024


class RemoteZipClient(ZipClient):
    def __init__(self, file_path: str, temporary_directory: str) -> None:
        self._file_path = file_path
        self._temporary_directory = temporary_directory

    def _temporary_file_path(self) -> str:
        """Where the archive is built: beside the scratch directory, named after it."""
        return self._temporary_directory.rstrip("/") + ".zip"

    def exists(self) -> bool:
        return filesystem(self._file_path).exists(self._file_path)

    def make_archive(self) -> None:
        local = self._temporary_file_path()
        shutil.make_archive(local.removesuffix(".zip"), format="zip", root_dir=self._temporary_directory)
        try:
            with open(local, "rb") as source, filesystem(self._file_path).open_write(self._file_path) as sink:
                shutil.copyfileobj(source, sink, _MIB)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(local)

    def unpack_archive(self) -> None:
        """Object streams are not seekable and zip needs seeking: spool to a temporary file first."""
        with tempfile.TemporaryFile(prefix="kart-zip-") as spool:
            with filesystem(self._file_path).open_read(self._file_path) as source:
                shutil.copyfileobj(source, spool, _MIB)
            spool.seek(0)
            _unzip_file(spool, self._temporary_directory)

    def remove(self) -> None:
        """A missing archive is not an error, as in gokart."""
        with contextlib.suppress(FileNotFoundError):
            filesystem(self._file_path).remove(self._file_path)

    @property
    def path(self) -> str:
        return self._file_path
