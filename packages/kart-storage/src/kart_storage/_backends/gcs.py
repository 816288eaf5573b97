"""Google Cloud Storage through google-cloud-storage, which is imported only when first used."""

from __future__ import annotations

import contextlib
import json
import mimetypes
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

from kart_storage._errors import (
    MissingExtraError,
    StorageConfigurationError,
    TargetExistsError,
    TargetNotFoundError,
)
from kart_storage._listing import StoredObject, directory_prefix
from kart_storage._publish_guard import check_before_publish, guarded, publish_conflict

from ._gcs_media import custom_metadata, keep_download_headers
from ._objects import LazyClientStore, batched_exists, split_bucket_key, take_until

_MIB = 1024 * 1024
#: reads whose object is replaced between the bytes and their generation's metadata are tried again
_GENERATION_ATTEMPTS = 3


def _require_gcs() -> Any:
    try:
        from google.cloud import storage
    except ImportError as exc:
        raise MissingExtraError(
            "GCS support requires google-cloud-storage. Install it with: pip install 'kart-storage[gcs]'"
        ) from exc
    return storage


@dataclass(frozen=True)
class GCSConfig:
    """How to reach GCS: gokart's `[GCSConfig]` (name of the credential variable) plus a project.

    The variable holds a service-account JSON file path or the JSON itself; unset, Application Default
    Credentials are used, then anonymous access. `STORAGE_EMULATOR_HOST` points the client at an emulator.
    """

    gcs_credential_name: str = "GCS_CREDENTIAL"
    project: str | None = None
    #: Uploads above this size are resumable, sent in chunks of this size (a multiple of 256 KiB).
    chunk_size: int = 10 * _MIB
    #: Threads for `exists_many`.
    max_workers: int = 32

    def load_credentials(self) -> Any:
        """Service-account credentials from the variable, or None when it is unset or empty."""
        value = os.environ.get(self.gcs_credential_name)
        if not value:
            return None
        from google.oauth2 import service_account

        if os.path.isfile(value):
            return service_account.Credentials.from_service_account_file(value)  # type: ignore[no-untyped-call]
        try:
            info = json.loads(value)
        except ValueError as exc:
            raise StorageConfigurationError(
                f"{self.gcs_credential_name} is neither a file nor service-account JSON"
            ) from exc
        return service_account.Credentials.from_service_account_info(info)  # type: ignore[no-untyped-call]


class GCSFileSystem(LazyClientStore):
    """`gs://bucket/key` objects. One client per file system, shared by all threads."""

    def __init__(self, config: GCSConfig | None = None) -> None:
        super().__init__()
        self.config = config if config is not None else GCSConfig()
        self._storage = _require_gcs()

    def _build_client(self) -> Any:
        storage = self._storage
        project = self.config.project or os.environ.get("GOOGLE_CLOUD_PROJECT")
        credentials = self.config.load_credentials()
        if credentials is not None:
            return storage.Client(project=project or credentials.project_id, credentials=credentials)
        if os.environ.get("STORAGE_EMULATOR_HOST"):
            from google.auth.credentials import AnonymousCredentials

            return storage.Client(project=project or "kart-emulator", credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
        import google.auth
        from google.auth.exceptions import DefaultCredentialsError

        try:
            default, default_project = google.auth.default()
        except DefaultCredentialsError:
            return storage.Client.create_anonymous_client()  # public buckets, as gokart fell back to
        return storage.Client(project=project or default_project, credentials=default)

    def _blob(self, path: str) -> tuple[Any, str, str]:
        bucket, key = split_bucket_key(path, "gs")
        return self.client.bucket(bucket).blob(key), bucket, key

    def _configuration_error(self, bucket: str, problem: str) -> StorageConfigurationError:
        return StorageConfigurationError(
            f"GCS bucket {bucket!r}: {problem}. Set {self.config.gcs_credential_name} (service-account"
            " JSON or a path to it) or Application Default Credentials, STORAGE_EMULATOR_HOST for an"
            " emulator, and make sure the bucket exists."
        )

    def _translate(self, error: Exception, path: str, bucket: str) -> Exception:
        from google.api_core import exceptions
        from google.auth.exceptions import DefaultCredentialsError, RefreshError

        if isinstance(error, DefaultCredentialsError | RefreshError):
            return self._configuration_error(bucket, f"credentials failed ({error})")
        if isinstance(error, exceptions.Forbidden | exceptions.Unauthorized):
            return self._configuration_error(bucket, f"access denied ({error.message})")
        if isinstance(error, exceptions.NotFound):
            if "bucket" in str(error.message).lower() and "object" not in str(error.message).lower():
                return self._configuration_error(bucket, "the bucket does not exist")
            return TargetNotFoundError(path)
        return error

    def _bucket_failure(self, error: Exception, path: str, bucket: str) -> Exception:
        """For bucket-level calls (upload, listing) a 404 can only mean the bucket is missing."""
        translated = self._translate(error, path, bucket)
        if isinstance(translated, TargetNotFoundError):
            return self._configuration_error(bucket, "the bucket does not exist")
        return translated

    def _missing_or_misconfigured(self, error: Exception, path: str, bucket: str) -> Exception:
        """A 404 on an object: tell a missing object from a missing bucket (checked once per bucket)."""
        translated = self._translate(error, path, bucket)
        if isinstance(translated, TargetNotFoundError):
            self._check_bucket(bucket)
        return translated

    def _check_bucket(self, bucket: str) -> None:
        """Once per bucket: a missing bucket is a configuration error, not a missing object."""
        if bucket in self._known_buckets:
            return
        try:
            found = self.client.bucket(bucket).exists()
        except Exception as error:
            raise self._translate(error, f"gs://{bucket}", bucket) from error
        if not found:
            raise self._configuration_error(bucket, "the bucket does not exist")
        self._known_buckets.add(bucket)

    def _reload(self, path: str, generation: int | None = None) -> Any:
        """The object's resource (metadata), of `generation` when given."""
        blob, bucket, key = self._blob(path)
        if generation is not None:
            blob = self.client.bucket(bucket).blob(key, generation=generation)
        try:
            blob.reload()
        except Exception as error:
            raise self._missing_or_misconfigured(error, path, bucket) from error
        self._known_buckets.add(bucket)
        return blob

    def exists(self, path: str) -> bool:
        """One GET of the object's metadata (plus one bucket check the first time a bucket misses)."""
        bucket, key = split_bucket_key(path, "gs")
        if not key:  # the bucket itself, as gokart: exists, or a configuration error
            self._check_bucket(bucket)
            return True
        try:
            self._reload(path)
        except TargetNotFoundError:
            return False
        return True

    def exists_many(self, paths: Sequence[str]) -> list[bool]:
        return batched_exists(paths, "gs", self.exists, self._list_names, self.config.max_workers)

    def _listed(self, bucket: str, prefix: str, *, delimited: bool = False, first: str | None = None) -> Any:
        """The listed blobs under `prefix` (one LIST request per page of 1,000), from `first` on."""
        return self.client.list_blobs(
            bucket,
            prefix=prefix or None,
            delimiter="/" if delimited else None,
            start_offset=first,
            page_size=1000,
        )

    def _list_names(
        self, bucket: str, prefix: str, first: str, last: str, budget: int, delimited: bool
    ) -> set[str] | None:
        try:
            blobs = self._listed(bucket, prefix, delimited=delimited, first=first)
            found = take_until((str(blob.name) for blob in blobs), last, budget)
        except Exception as error:
            raise self._bucket_failure(error, f"gs://{bucket}/{prefix}", bucket) from error
        self._known_buckets.add(bucket)
        return found

    def iter_objects(self, prefix: str) -> Iterator[StoredObject]:
        """Every object under the directory `prefix`: one LIST request per 1,000 objects."""
        bucket, key = split_bucket_key(prefix, "gs")
        head = prefix[: len(prefix) - len(key)]
        try:
            for blob in self._listed(bucket, directory_prefix(key)):
                yield StoredObject(f"{head}{blob.name}", int(blob.size), blob.updated.astimezone(UTC))
        except Exception as error:
            raise self._bucket_failure(error, prefix, bucket) from error
        self._known_buckets.add(bucket)

    @contextlib.contextmanager
    def open_read(self, path: str) -> Iterator[BinaryIO]:
        """Downloads to a temporary file (seekable, deleted on close)."""
        blob, bucket, _ = self._blob(path)
        with tempfile.TemporaryFile(prefix="kart-gcs-") as spool:
            try:
                blob.download_to_file(spool)
            except Exception as error:
                raise self._missing_or_misconfigured(error, path, bucket) from error
            spool.seek(0)
            yield spool

    @contextlib.contextmanager
    def open_read_with_metadata(self, path: str) -> Iterator[tuple[BinaryIO, dict[str, str]]]:
        """The object (as `open_read`) with the custom metadata of the same generation, so a seal always
        belongs to the bytes it came with: the `x-goog-meta-*` headers of the media response itself
        (one request), else the metadata of the generation that response named, else (a server that
        names none) the metadata as it is now."""
        with tempfile.TemporaryFile(prefix="kart-gcs-") as spool:
            metadata = None
            for _ in range(_GENERATION_ATTEMPTS):
                spool.seek(0)
                spool.truncate()
                metadata = self._download_one_generation(path, spool)
                if metadata is not None:
                    break
            if metadata is None:
                raise TargetNotFoundError(f"{path} (replaced again and again while it was read)")
            spool.seek(0)
            yield spool, metadata

    def _download_one_generation(self, path: str, spool: BinaryIO) -> dict[str, str] | None:
        """Download into `spool`; the custom metadata of the downloaded generation, None when that
        generation was replaced before its metadata could be read (then the caller tries again)."""
        blob, bucket, _ = self._blob(path)
        headers: dict[str, str] = {}
        keep_download_headers(blob, headers)
        try:
            blob.download_to_file(spool)
        except Exception as error:
            raise self._missing_or_misconfigured(error, path, bucket) from error
        metadata = custom_metadata(headers)
        if metadata:
            return metadata
        generation = blob.generation  # from the media response's x-goog-generation, when sent
        try:
            return dict(self._reload(path, generation).metadata or {})
        except TargetNotFoundError:
            if generation is None:
                raise
            return None

    @contextlib.contextmanager
    def open_write(self, path: str, *, metadata: Mapping[str, str] | None = None) -> Iterator[BinaryIO]:
        """Spools to a temporary file, then uploads it with `metadata` in the same request (resumable
        in `chunk_size` pieces above that size), so the labels appear together with the object."""
        with self._upload(path, metadata, create_only=False) as spool:
            yield spool

    @contextlib.contextmanager
    def open_create(self, path: str, *, metadata: Mapping[str, str] | None = None) -> Iterator[BinaryIO]:
        """Like `open_write`, but the upload carries `ifGenerationMatch=0`, so GCS refuses to replace an
        existing object (TargetExistsError). gcp-storage-emulator ignores the precondition."""
        with self._upload(path, metadata, create_only=True) as spool:
            yield spool

    @contextlib.contextmanager
    def _upload(
        self, path: str, metadata: Mapping[str, str] | None, *, create_only: bool
    ) -> Iterator[BinaryIO]:
        bucket, key = split_bucket_key(path, "gs")
        # Under a lock's publish guard: replace only the generation there now (0: none).
        generation = 0 if create_only else (self._current_generation(path) if guarded() else None)
        with tempfile.TemporaryFile(prefix="kart-gcs-") as spool:
            yield spool
            spool.flush()
            size = spool.tell()
            spool.seek(0)
            resumable = size > self.config.chunk_size
            blob = self.client.bucket(bucket).blob(
                key, chunk_size=self.config.chunk_size if resumable else None
            )
            if metadata:
                blob.metadata = dict(metadata)
            content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
            conditions: dict[str, Any] = {} if generation is None else {"if_generation_match": generation}
            check_before_publish(path)
            try:
                # Without a size the library always takes the resumable, chunked path.
                blob.upload_from_file(
                    spool, size=None if resumable else size, content_type=content_type, **conditions
                )
            except Exception as error:
                failure = self._upload_failure(error, path, bucket)
                if isinstance(failure, TargetExistsError) and not create_only and guarded():
                    raise publish_conflict(path, failure) from error  # changed since the write began
                raise failure from error

    def _upload_failure(self, error: Exception, path: str, bucket: str) -> Exception:
        from google.api_core import exceptions

        if isinstance(error, exceptions.PreconditionFailed):
            return TargetExistsError(path)
        return self._bucket_failure(error, path, bucket)

    def _current_generation(self, path: str) -> int:
        """The object's generation now, 0 when it does not exist (GCS's "must not exist")."""
        try:
            return int(self._reload(path).generation)
        except TargetNotFoundError:
            return 0

    def remove(self, path: str) -> None:
        blob, bucket, _ = self._blob(path)
        try:
            blob.delete()
        except Exception as error:
            raise self._missing_or_misconfigured(error, path, bucket) from error

    def last_modified(self, path: str) -> datetime:
        updated: datetime = self._reload(path).updated
        return updated.astimezone(UTC)

    def size(self, path: str) -> int:
        """The object's size in bytes (TargetNotFoundError when missing)."""
        return int(self._reload(path).size)

    def read_metadata(self, path: str) -> dict[str, str]:
        """Custom metadata stored with the object (gokart's task-state labels)."""
        return dict(self._reload(path).metadata or {})
