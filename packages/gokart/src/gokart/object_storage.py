"""gokart.object_storage: S3 and GCS paths behind one set of static helpers, on kart-storage's file
systems (gokart 1.12 went through luigi's S3 and GCS clients)."""

from __future__ import annotations

import io
from contextlib import AbstractContextManager
from datetime import datetime
from types import TracebackType
from typing import IO, Any, BinaryIO

import luigi
import luigi.format
import luigi.target

from gokart._extras import filesystem, require_gcs, require_s3
from gokart.zip_client import ZipClient

object_storage_path_prefix = ["s3://", "gs://"]


def _require_extra(path: str) -> None:
    if path.startswith("s3://"):
        require_s3()
    elif path.startswith("gs://"):
        require_gcs()


class _ObjectStream(io.RawIOBase):
    """A kart-storage stream as a file object: closing it ends the read, or publishes the write."""

    def __init__(self, opened: AbstractContextManager[BinaryIO], writing: bool) -> None:
        self._opened = opened
        self._stream = opened.__enter__()
        self._writing = writing
        self._done = False

    def readable(self) -> bool:
        return not self._writing

    def writable(self) -> bool:
        return self._writing

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._stream.read(len(view))
        view[: len(data)] = data
        return len(data)

    def write(self, data: Any) -> int:
        return self._stream.write(data)

    def _finish(self, error: BaseException | None) -> None:
        if not self._done:
            self._done = True
            if error is None:
                self._opened.__exit__(None, None, None)
            else:
                self._opened.__exit__(type(error), error, error.__traceback__)

    def close(self) -> None:
        try:
            self._finish(None)
        finally:
            super().close()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """An exception inside `with target.open('w')` publishes nothing."""
        try:
            self._finish(error)
        finally:
            super().close()


class _ObjectFileSystem(luigi.target.FileSystem):
    def exists(self, path: str) -> bool:
        return filesystem(path).exists(path)

    def remove(self, path: str, recursive: bool = True, skip_trash: bool = True) -> None:
        filesystem(path).remove(path)


class ObjectStorageTarget(luigi.target.FileSystemTarget):
    """A luigi target for an `s3://` or `gs://` object, read and written through kart-storage."""

    fs = _ObjectFileSystem()

    def __init__(self, path: str, format: luigi.format.Format | None = None) -> None:
        super().__init__(path)
        self.format = format if format is not None else luigi.format.get_default_format()

    def open(self, mode: str = "r") -> IO[Any]:
        store = filesystem(self.path)
        if mode == "r":
            reader = io.BufferedReader(_ObjectStream(store.open_read(self.path), writing=False))
            return self.format.pipe_reader(reader)  # type: ignore[no-any-return]
        if mode == "w":
            return self.format.pipe_writer(_ObjectStream(store.open_write(self.path), writing=True))  # type: ignore[no-any-return]
        raise ValueError(f"Unsupported open mode '{mode}'")


class ObjectStorage:
    @staticmethod
    def if_object_storage_path(path: str) -> bool:
        return path.startswith(tuple(object_storage_path_prefix))

    @staticmethod
    def get_object_storage_target(path: str, format: luigi.format.Format) -> luigi.target.FileSystemTarget:
        _require_extra(path)
        return ObjectStorageTarget(path, format=format)

    @staticmethod
    def exists(path: str) -> bool:
        _require_extra(path)
        return filesystem(path).exists(path)

    @staticmethod
    def get_timestamp(path: str) -> datetime:
        """The object's last modification time, timezone-aware UTC; FileNotFoundError when missing."""
        _require_extra(path)
        return filesystem(path).last_modified(path)

    @staticmethod
    def get_zip_client(file_path: str, temporary_directory: str) -> ZipClient:
        if file_path.startswith("s3://"):
            from gokart.s3_zip_client import S3ZipClient

            return S3ZipClient(file_path=file_path, temporary_directory=temporary_directory)
        if file_path.startswith("gs://"):
            from gokart.gcs_zip_client import GCSZipClient

            return GCSZipClient(file_path=file_path, temporary_directory=temporary_directory)
        raise ValueError(f"not an object storage path (s3:// or gs://): {file_path}")

    @staticmethod
    def is_buffered_reader(file: object) -> bool:
        """False for a streaming object-store reader (no seeking back), True otherwise."""
        if type(file).__name__ == "ReadableS3File":
            return False
        seekable = getattr(file, "seekable", None)
        return not (callable(seekable) and not seekable())


__all__ = ["ObjectStorage", "object_storage_path_prefix"]
