"""gokart.zip_client: a directory of files saved as one archive next to a task's outputs (model targets).

`ZipClient` is the interface; `LocalZipClient` keeps the archive on local disk. The object-store clients
live in gokart.s3_zip_client and gokart.gcs_zip_client.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zipfile
from typing import IO


def _unzip_file(fp: str | IO[bytes] | os.PathLike[str], extract_dir: str) -> None:
    """Extract a zip archive (a path or a seekable binary file) into `extract_dir`."""
    with zipfile.ZipFile(fp) as archive:
        archive.extractall(extract_dir)


class ZipClient:
    """An archive at `path` holding the files of a scratch directory."""

    def exists(self) -> bool:
        raise NotImplementedError

    def make_archive(self) -> None:
        """Archive the scratch directory into `path`."""
        raise NotImplementedError

    def unpack_archive(self) -> None:
        """Extract `path` into the scratch directory."""
        raise NotImplementedError

    def remove(self) -> None:
        raise NotImplementedError

    @property
    def path(self) -> str:
        raise NotImplementedError


class LocalZipClient(ZipClient):
    """The archive format comes from the extension of `file_path` (`.zip`, `.tar`), as in shutil."""

    def __init__(self, file_path: str, temporary_directory: str) -> None:
        self._file_path = file_path
        self._temporary_directory = temporary_directory

    def exists(self) -> bool:
        return os.path.exists(self._file_path)

    def make_archive(self) -> None:
        """Built beside the final path and renamed into place, so a crash never leaves half an archive."""
        stem, extension = os.path.splitext(self._file_path)
        directory = os.path.dirname(os.path.abspath(self._file_path))
        os.makedirs(directory, exist_ok=True)
        scratch = tempfile.mkdtemp(prefix=".kart-zip-", dir=directory)
        try:
            built = shutil.make_archive(
                os.path.join(scratch, os.path.basename(stem)),
                format=extension.lstrip("."),
                root_dir=self._temporary_directory,
            )
            os.replace(built, self._file_path)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def unpack_archive(self) -> None:
        if self._file_path.endswith(".zip"):
            _unzip_file(self._file_path, self._temporary_directory)
        else:
            shutil.unpack_archive(self._file_path, extract_dir=self._temporary_directory)

    def remove(self) -> None:
        """Deletes the archive (gokart 1.12's local remove left it in place)."""
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._file_path)

    @property
    def path(self) -> str:
        return self._file_path


__all__ = ["LocalZipClient", "ZipClient"]
