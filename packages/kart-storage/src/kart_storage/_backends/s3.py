"""Amazon S3 (and S3-compatible stores) through boto3, which is imported only when first used."""

from __future__ import annotations

import contextlib
import io
import os
import random
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO

from kart_storage._errors import (
    MissingExtraError,
    StorageArgumentError,
    StorageConfigurationError,
    TargetExistsError,
    TargetNotFoundError,
)
from kart_storage._listing import StoredObject, directory_prefix
from kart_storage._publish_guard import guarded, publish_conflict
from kart_storage._uploads import UnfinishedUpload

from . import _s3_listing, _s3_publish
from ._objects import LazyClientStore, batched_exists, split_bucket_key, take_until
from ._s3_timestamps import botocore_session

_MIB = 1024 * 1024
_MISSING_CODES = {"404", "NoSuchKey", "NotFound"}
#: a conditional create lost: the key exists (412), or another conditional write to it is in flight (409)
_EXISTS_CODES = {"PreconditionFailed", "412", "ConditionalRequestConflict"}
_DENIED_CODES = {"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"}


def _require_boto3() -> Any:
    try:
        import boto3
    except ImportError as exc:
        raise MissingExtraError(
            "S3 support requires boto3. Install it with: pip install 'kart-storage[s3]'"
        ) from exc
    return boto3


def _spool_prefix() -> str:
    """Name prefix of an upload's spool file. It takes one draw from the global `random` module, as
    luigi's atomic S3 file does, so a task seeded with gokart's `fix_random_seed_value` draws the same
    numbers after each dump as on gokart (the local backend does the same)."""
    return f"kart-s3-{random.randrange(0, 10_000_000_000):010d}-"


@dataclass(frozen=True)
class S3Config:
    """How to reach S3: gokart's `[S3Config]` (names of the credential variables) plus luigi's `[s3]`
    options (`endpoint_url`, `region_name`, `aws_session_token`, role to assume, other client options).

    Unset values fall back to boto3's own resolution (`AWS_ENDPOINT_URL`, `AWS_DEFAULT_REGION`,
    `~/.aws/...`, instance roles). Credentials are read from the environment when the client is built.
    """

    aws_access_key_id_name: str = "AWS_ACCESS_KEY_ID"
    aws_secret_access_key_name: str = "AWS_SECRET_ACCESS_KEY"
    endpoint_url: str | None = None
    region_name: str | None = None
    aws_session_token: str | None = None
    aws_role_arn: str | None = None
    aws_role_session_name: str | None = None
    client_options: Mapping[str, Any] = field(default_factory=dict)
    #: Objects above this size are uploaded in parts of `multipart_chunksize` bytes.
    multipart_threshold: int = 8 * _MIB
    multipart_chunksize: int = 8 * _MIB
    #: Threads for `exists_many` and for multipart transfers.
    max_workers: int = 32

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `boto3.client('s3', ...)`, credentials included."""
        kwargs: dict[str, Any] = dict(self.client_options)
        key_id = os.environ.get(self.aws_access_key_id_name) or None
        secret = os.environ.get(self.aws_secret_access_key_name) or None
        if key_id and secret:
            kwargs["aws_access_key_id"] = key_id
            kwargs["aws_secret_access_key"] = secret
        if self.aws_session_token:
            kwargs["aws_session_token"] = self.aws_session_token
        if self.endpoint_url:
            kwargs["endpoint_url"] = self.endpoint_url
        if self.region_name:
            kwargs["region_name"] = self.region_name
        return kwargs


class _StreamingBodyReader(io.RawIOBase):
    """A file-like view of a boto3 StreamingBody (not seekable), so readers can buffer it."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        chunk: bytes = self._body.read(len(view))
        view[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._body.close()
        super().close()


class S3FileSystem(LazyClientStore):
    """`s3://bucket/key` objects. One boto3 client per file system, shared by all threads."""

    def __init__(self, config: S3Config | None = None) -> None:
        super().__init__()
        self.config = config if config is not None else S3Config()
        self._boto3 = _require_boto3()

    def _build_client(self) -> Any:
        from botocore.config import Config

        kwargs = self.config.client_kwargs()
        if self.config.aws_role_arn:
            sts = self._boto3.client("sts", **kwargs)
            role = sts.assume_role(
                RoleArn=self.config.aws_role_arn,
                RoleSessionName=self.config.aws_role_session_name or "kart-storage",
            )["Credentials"]
            kwargs.update(
                aws_access_key_id=role["AccessKeyId"],
                aws_secret_access_key=role["SecretAccessKey"],
                aws_session_token=role["SessionToken"],
            )
        pool = Config(max_pool_connections=max(10, self.config.max_workers))
        kwargs["config"] = pool.merge(kwargs["config"]) if "config" in kwargs else pool
        session = self._boto3.session.Session(botocore_session=botocore_session())
        return session.client("s3", **kwargs)

    # --- errors -------------------------------------------------------------------------------

    def _configuration_error(self, bucket: str, problem: str) -> StorageConfigurationError:
        return StorageConfigurationError(
            f"S3 bucket {bucket!r}: {problem}. Set the credentials ({self.config.aws_access_key_id_name},"
            f" {self.config.aws_secret_access_key_name}), the endpoint (AWS_ENDPOINT_URL or"
            " S3Config(endpoint_url=...)) and make sure the bucket exists."
        )

    def _translate(self, error: Exception, path: str, bucket: str) -> Exception:
        """One error family whatever botocore raised."""
        from botocore.exceptions import ClientError, NoCredentialsError, PartialCredentialsError

        if isinstance(error, NoCredentialsError | PartialCredentialsError):
            return self._configuration_error(bucket, "no AWS credentials found")
        if type(error).__name__ == "S3UploadFailedError":  # boto3's wrapper around multipart failures
            cause = error.__cause__ or error.__context__
            if isinstance(cause, Exception):
                return self._translate(cause, path, bucket)
            if "NoSuchBucket" in str(error):
                return self._configuration_error(bucket, "the bucket does not exist")
        if isinstance(error, ClientError):
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code == "NoSuchBucket":
                return self._configuration_error(bucket, "the bucket does not exist")
            if code in _EXISTS_CODES:
                return TargetExistsError(path)
            if code in _MISSING_CODES:
                return TargetNotFoundError(path)
            if code in _DENIED_CODES:
                return self._configuration_error(bucket, f"access denied ({code})")
        return error

    def _check_bucket(self, bucket: str) -> None:
        """Once per bucket: a missing bucket is a configuration error, not a missing object."""
        if bucket in self._known_buckets:
            return
        try:
            self.client.head_bucket(Bucket=bucket)
        except Exception as error:
            translated = self._translate(error, f"s3://{bucket}", bucket)
            if isinstance(translated, TargetNotFoundError):
                raise self._configuration_error(bucket, "the bucket does not exist") from error
            raise translated from error
        self._known_buckets.add(bucket)

    def _head(self, path: str) -> dict[str, Any]:
        bucket, key = split_bucket_key(path, "s3")
        try:
            response: dict[str, Any] = self.client.head_object(Bucket=bucket, Key=key)
        except Exception as error:
            translated = self._translate(error, path, bucket)
            if isinstance(translated, TargetNotFoundError):
                self._check_bucket(bucket)
            raise translated from error
        self._known_buckets.add(bucket)
        return response

    # --- the FileSystem protocol --------------------------------------------------------------

    def exists(self, path: str) -> bool:
        """One HEAD request (plus one bucket check the first time a bucket reports a miss)."""
        bucket, key = split_bucket_key(path, "s3")
        if not key:  # the bucket itself, as gokart: exists, or a configuration error
            self._check_bucket(bucket)
            return True
        try:
            self._head(path)
        except TargetNotFoundError:
            return False
        return True

    def exists_many(self, paths: Sequence[str]) -> list[bool]:
        return batched_exists(paths, "s3", self.exists, self._list_names, self.config.max_workers)

    def _list_names(
        self, bucket: str, prefix: str, first: str, last: str, budget: int, delimited: bool
    ) -> set[str] | None:
        # Start just before `first`: a prefix of a string sorts before it.
        names = (
            str(item["Key"])
            for item in _s3_listing.objects(
                self.client, bucket, prefix, delimited=delimited, after=first[:-1]
            )
        )
        try:
            found = take_until(names, last, budget)
        except Exception as error:
            raise self._translate(error, f"s3://{bucket}/{prefix}", bucket) from error
        self._known_buckets.add(bucket)
        return found

    def iter_objects(self, prefix: str) -> Iterator[StoredObject]:
        """Every object under the directory `prefix`: one LIST request per 1,000 objects."""
        bucket, key = split_bucket_key(prefix, "s3")
        head = prefix[: len(prefix) - len(key)]
        try:
            for item in _s3_listing.objects(self.client, bucket, directory_prefix(key)):
                yield StoredObject(
                    f"{head}{item['Key']}", int(item["Size"]), item["LastModified"].astimezone(UTC)
                )
        except Exception as error:
            raise self._translate(error, prefix, bucket) from error
        self._known_buckets.add(bucket)

    def iter_unfinished_uploads(self, prefix: str) -> Iterator[UnfinishedUpload]:
        """Multipart uploads begun under the directory `prefix` and never completed (a killed writer's
        parts): one ListMultipartUploads request per 1,000."""
        bucket, key = split_bucket_key(prefix, "s3")
        try:
            yield from _s3_listing.unfinished(
                self.client, bucket, directory_prefix(key), prefix[: len(prefix) - len(key)]
            )
        except Exception as error:
            raise self._translate(error, prefix, bucket) from error

    def abort_upload(self, upload: UnfinishedUpload) -> None:
        """Abort one unfinished upload (already gone: nothing to do)."""
        bucket, key = split_bucket_key(upload.path, "s3")
        try:
            _s3_listing.abort(self.client, bucket, key, upload.upload_id)
        except Exception as error:
            raise self._translate(error, upload.path, bucket) from error

    @contextlib.contextmanager
    def open_read(self, path: str) -> Iterator[BinaryIO]:
        """Streams the object (not seekable); nothing is held in memory beyond the buffer."""
        with self.open_read_with_metadata(path) as (stream, _):
            yield stream

    @contextlib.contextmanager
    def open_read_with_metadata(self, path: str) -> Iterator[tuple[BinaryIO, dict[str, str]]]:
        """The streamed object and its user metadata from the same GET: a seal read so always belongs
        to the bytes it came with (a HEAD beside the GET could see another version)."""
        bucket, key = split_bucket_key(path, "s3")
        try:
            response = self.client.get_object(Bucket=bucket, Key=key)
        except Exception as error:
            raise self._translate(error, path, bucket) from error  # S3 says NoSuchBucket itself here
        with io.BufferedReader(_StreamingBodyReader(response["Body"]), buffer_size=_MIB) as stream:
            yield stream, dict(response.get("Metadata", {}))

    @contextlib.contextmanager
    def open_write(self, path: str, *, metadata: Mapping[str, str] | None = None) -> Iterator[BinaryIO]:
        """Spools to a temporary file, then uploads (multipart above the threshold) on a clean exit."""
        from boto3.s3.transfer import TransferConfig

        bucket, key = split_bucket_key(path, "s3")
        for name, value in (metadata or {}).items():
            if not (name + value).isascii():
                raise StorageArgumentError(
                    f"S3 metadata must be ASCII (HTTP headers): {name}={value!r} for {path}"
                )
        # Under a lock's publish guard: replace only what is there now (see _s3_publish).
        condition = self._current_condition(path) if guarded() else None
        with tempfile.TemporaryFile(prefix=_spool_prefix()) as spool:
            yield spool
            spool.flush()
            if condition is not None:
                self._publish_guarded(path, spool, metadata, condition)
                return
            spool.seek(0)
            transfer = TransferConfig(
                multipart_threshold=self.config.multipart_threshold,
                multipart_chunksize=self.config.multipart_chunksize,
                max_concurrency=min(10, self.config.max_workers),
            )
            extra = {"Metadata": dict(metadata)} if metadata else None
            try:
                self.client.upload_fileobj(spool, bucket, key, ExtraArgs=extra, Config=transfer)
            except Exception as error:
                raise self._translate(error, path, bucket) from error

    @contextlib.contextmanager
    def open_create(self, path: str, *, metadata: Mapping[str, str] | None = None) -> Iterator[BinaryIO]:
        """Like `open_write`, but S3 itself refuses to replace an existing key: PutObject, or
        CompleteMultipartUpload above the threshold, carries `If-None-Match: *`."""
        extra: dict[str, Any] = {"Metadata": dict(metadata)} if metadata else {}
        with tempfile.TemporaryFile(prefix=_spool_prefix()) as spool:
            yield spool
            spool.flush()
            size = spool.tell()
            spool.seek(0)
            self._upload(path, spool, size, extra, _s3_publish.CREATE, optional=False)

    def _upload(
        self,
        path: str,
        spool: BinaryIO,
        size: int,
        extra: dict[str, Any],
        condition: _s3_publish.Condition,
        *,
        optional: bool,
    ) -> None:
        """PutObject, or multipart above the threshold, whose publishing request carries `condition`."""
        bucket, key = split_bucket_key(path, "s3")
        try:
            if size <= self.config.multipart_threshold:
                _s3_publish.put(self.client, bucket, key, path, spool, extra, condition, optional=optional)
            else:
                chunksize = self.config.multipart_chunksize
                _s3_publish.multipart(
                    self.client, bucket, key, path, spool, chunksize, extra, condition, optional=optional
                )
        except Exception as error:
            translated = self._translate(error, path, bucket)
            if translated is error:
                raise  # not the store's (a publish guard refused, say): as it is
            raise translated from error

    def _current_condition(self, path: str) -> _s3_publish.Condition:
        """What must still hold when a guarded write publishes: the key absent, or at today's ETag."""
        try:
            etag = str(self._head(path)["ETag"])
        except TargetNotFoundError:
            return _s3_publish.condition_for(None)
        return _s3_publish.condition_for(etag)

    def _publish_guarded(
        self, path: str, spool: BinaryIO, metadata: Mapping[str, str] | None, condition: _s3_publish.Condition
    ) -> None:
        """Publish under a lock's guard: the guard is asked last, and S3 refuses the request when another
        writer changed the key since this write began; both raise the guard's error."""
        size = spool.tell()
        spool.seek(0)
        extra: dict[str, Any] = {"Metadata": dict(metadata)} if metadata else {}
        try:
            self._upload(path, spool, size, extra, condition, optional=True)
        except TargetExistsError as refused:  # 412/409: the key is no longer as it was seen
            raise publish_conflict(path, refused) from refused
        except TargetNotFoundError as refused:  # If-Match on a key deleted meanwhile
            raise publish_conflict(path, refused) from refused

    def remove(self, path: str) -> None:
        """HEAD then DELETE: S3 deletes of missing keys succeed silently, and we must report them."""
        self._head(path)
        bucket, key = split_bucket_key(path, "s3")
        try:
            self.client.delete_object(Bucket=bucket, Key=key)
        except Exception as error:
            raise self._translate(error, path, bucket) from error

    def last_modified(self, path: str) -> datetime:
        moment: datetime = self._head(path)["LastModified"]
        return moment.astimezone(UTC)

    def size(self, path: str) -> int:
        """The object's size in bytes (TargetNotFoundError when missing)."""
        return int(self._head(path)["ContentLength"])

    def read_metadata(self, path: str) -> dict[str, str]:
        """User metadata stored with the object (S3 lower-cases the keys)."""
        return dict(self._head(path).get("Metadata", {}))
