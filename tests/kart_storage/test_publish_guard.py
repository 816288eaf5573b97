"""Publish guards with fake locks: a refused publish changes nothing visible, the guard is asked after
the bytes are written, and stores with conditional writes refuse to replace an object that changed
after the write began (memory and moto's S3 enforce it; the GCS emulator ignores preconditions, so
for GCS we check what is sent and how GCS's 412 is translated).

The process-level test with a real Redis and SIGSTOP is tests/integration/test_stale_lock_holder.py.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kart_storage
from kart_storage import (
    CreateOnlyFileSystem,
    PublishGuard,
    S3Config,
    S3FileSystem,
    TargetExistsError,
    filesystem_for,
    make_target,
    publish_guard,
)
from kart_storage._backends import _s3_publish


class Refused(Exception):
    """The fake lock's "lost" error."""


class Conflict(Exception):
    """The fake lock's error for a conditional publish the store refused."""


class FakeLock:
    """A publish guard whose lock is lost when the test says so."""

    def __init__(self) -> None:
        self.lost = False
        self.checked: list[str] = []

    def check_publish(self, path: str) -> None:
        self.checked.append(path)
        if self.lost:
            raise Refused(f"lost before publishing {path}")

    def publish_conflict(self, path: str) -> BaseException:
        return Conflict(f"{path} changed under us")


def _read(path: str) -> bytes:
    with filesystem_for(path).open_read(path) as stream:
        return stream.read()


def _write(path: str, data: bytes) -> None:
    with filesystem_for(path).open_write(path) as stream:
        stream.write(data)


def _write_unguarded_elsewhere(path: str, data: bytes) -> None:
    """Another worker's write: a thread of its own, so it does not run under this thread's guard."""
    worker = threading.Thread(target=_write, args=(path, data))
    worker.start()
    worker.join()


def _guarded_write(filesystem: Any, path: str, data: bytes, lock: FakeLock, meanwhile: Any) -> None:
    """Write `data` under `lock`'s guard; `meanwhile()` runs after the bytes are written, before the
    publish (the lock gets lost, another worker writes...)."""
    with publish_guard(lock), filesystem.open_write(path) as stream:
        stream.write(data)
        meanwhile()


def _temporaries(root: str) -> list[str]:
    if "://" in root:
        return []
    return [name for _, _, names in os.walk(root) for name in names if "-kart-tmp-" in name]


def test_a_lock_lost_while_writing_publishes_nothing(store_root: str) -> None:
    path = f"{store_root}/out/x.bin"
    _write(path, b"old")
    lock = FakeLock()

    def lose() -> None:
        lock.lost = True  # e.g. paused past the TTL while writing

    with pytest.raises(Refused, match=r"x\.bin"):
        _guarded_write(filesystem_for(path), path, b"stale", lock, lose)
    assert _read(path) == b"old"
    assert lock.checked == [path]
    assert _temporaries(store_root) == []


def test_the_guard_is_asked_after_the_bytes_are_written(store_root: str) -> None:
    path = f"{store_root}/x.bin"
    lock = FakeLock()
    with publish_guard(lock), filesystem_for(path).open_write(path) as stream:
        stream.write(b"data")
        assert lock.checked == []  # not yet: a slow write must still be followed by the check
    assert lock.checked == [path]
    assert _read(path) == b"data"


def test_create_only_asks_the_guard_too(store_root: str) -> None:
    filesystem = filesystem_for(store_root + "/")
    assert isinstance(filesystem, CreateOnlyFileSystem)
    path = f"{store_root}/c.bin"
    lock = FakeLock()
    lock.lost = True
    with pytest.raises(Refused), publish_guard(lock), filesystem.open_create(path) as stream:
        stream.write(b"stale")
    assert not filesystem_for(path).exists(path)
    assert path in lock.checked
    assert _temporaries(store_root) == []


@pytest.fixture(params=["memory", "s3"])
def conditional_root(request: pytest.FixtureRequest) -> str:
    """Stores that enforce the condition themselves."""
    if request.param == "memory":
        return f"memory://guard-{uuid.uuid4().hex}"
    return str(request.getfixturevalue("s3_root"))


@pytest.mark.parametrize("existed", [False, True], ids=["new", "replacing"])
def test_a_newer_object_written_after_the_write_began_is_kept(conditional_root: str, existed: bool) -> None:
    """The check passed (the lock looks fine), yet another worker published meanwhile: the store's
    condition (If-None-Match: * / If-Match: <etag seen>) refuses, and the guard names the error."""
    path = f"{conditional_root}/x.bin"
    if existed:
        _write(path, b"old")
    lock = FakeLock()
    with pytest.raises(Conflict, match=r"x\.bin"):
        _guarded_write(
            filesystem_for(path), path, b"stale", lock, lambda: _write_unguarded_elsewhere(path, b"newer")
        )
    assert _read(path) == b"newer"


@pytest.mark.parametrize("existed", [False, True], ids=["new", "replacing"])
def test_a_guarded_write_replaces_what_it_saw(store_root: str, existed: bool) -> None:
    path = f"{store_root}/x.bin"
    if existed:
        _write(path, b"old")
    with publish_guard(FakeLock()):
        _write(path, b"mine")
    assert _read(path) == b"mine"


@contextlib.contextmanager
def _s3_headers(s3: S3FileSystem, operation: str) -> Iterator[list[dict[str, str]]]:
    seen: list[dict[str, str]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        seen.append(dict(params.get("headers", {})))

    s3.client.meta.events.register(f"before-call.s3.{operation}", record)
    try:
        yield seen
    finally:
        s3.client.meta.events.unregister(f"before-call.s3.{operation}", record)


def test_s3_guarded_writes_carry_the_version_seen(s3_root: str) -> None:
    s3 = filesystem_for(s3_root + "/")
    assert isinstance(s3, S3FileSystem)
    path = f"{s3_root}/x.bin"
    with _s3_headers(s3, "PutObject") as seen, publish_guard(FakeLock()):
        _write(path, b"first")
        etag = s3.client.head_object(Bucket=s3_root[5:], Key="x.bin")["ETag"]
        _write(path, b"second")
    assert seen[0].get("If-None-Match") == "*"
    assert seen[1].get("If-Match") == etag
    with _s3_headers(s3, "PutObject") as unguarded:
        _write(path, b"third")
    assert "If-Match" not in unguarded[0]
    assert "If-None-Match" not in unguarded[0]


def test_s3_multipart_completion_is_checked_and_conditional(s3_root: str) -> None:
    """moto honours If-None-Match on CompleteMultipartUpload (tested) but ignores If-Match there, so for
    the replacing case we check that the header is sent; AWS S3 enforces both."""
    s3 = S3FileSystem(S3Config(multipart_threshold=5 * 2**20, multipart_chunksize=5 * 2**20))
    path = f"{s3_root}/big.bin"
    payload = os.urandom(6 * 2**20)
    lock = FakeLock()
    with pytest.raises(Conflict):
        _guarded_write(s3, path, payload, lock, lambda: _write_unguarded_elsewhere(path, b"newer"))
    with s3.open_read(path) as stream:
        assert stream.read() == b"newer"
    bucket = s3_root.removeprefix("s3://")
    assert s3.client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []  # aborted
    etag = s3.client.head_object(Bucket=bucket, Key="big.bin")["ETag"]
    with (
        _s3_headers(s3, "CompleteMultipartUpload") as seen,
        publish_guard(lock),
        s3.open_write(path) as stream,
    ):
        stream.write(payload)
    assert seen[0].get("If-Match") == etag
    with s3.open_read(path) as stream:
        assert stream.read() == payload
    lock.lost = True
    with pytest.raises(Refused), publish_guard(lock), s3.open_write(path) as stream:
        stream.write(b"x" * (6 * 2**20))
    assert s3.client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


class _NoConditions:
    """An S3-compatible store that answers 501 to conditional requests."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def put_object(self, **request: Any) -> None:
        self.requests.append(request)
        request["Body"].read()
        if "IfMatch" in request or "IfNoneMatch" in request:
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "NotImplemented", "Message": "no"}}, "PutObject")


def test_a_store_without_conditional_writes_falls_back_for_a_lock_but_not_for_create_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = _NoConditions()
    lock = FakeLock()
    body = (tmp_path / "body").open("w+b")
    body.write(b"payload")
    body.seek(0)
    with publish_guard(lock):
        _s3_publish.put(client, "b", "k", "s3://b/k", body, {}, {"IfMatch": '"e"'}, optional=True)
    assert [sorted(r) for r in client.requests] == [
        ["Body", "Bucket", "IfMatch", "Key"],
        ["Body", "Bucket", "Key"],
    ]
    assert lock.checked == ["s3://b/k", "s3://b/k"]  # asked again right before the plain request
    assert "does not support conditional writes" in caplog.text
    body.seek(0)
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError):
        _s3_publish.put(client, "b", "k", "s3://b/k", body, {}, _s3_publish.CREATE, optional=False)
    body.close()


def test_gcs_guarded_writes_carry_the_generation_seen(gcs_root: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from google.cloud.storage import Blob

    calls: list[dict[str, Any]] = []
    real = Blob.upload_from_file

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Blob, "upload_from_file", spy)
    path = f"{gcs_root}/x.bin"
    with publish_guard(FakeLock()):
        _write(path, b"first")
        gcs = filesystem_for(path)
        assert isinstance(gcs, kart_storage.GCSFileSystem)
        generation = gcs.client.bucket(gcs_root[5:]).get_blob("x.bin").generation
        _write(path, b"second")
    assert calls[0]["if_generation_match"] == 0
    assert calls[1]["if_generation_match"] == int(generation)
    _write(path, b"third")
    assert "if_generation_match" not in calls[2]


def test_gcs_refused_precondition_under_a_guard_is_the_guards_conflict(
    gcs_root: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from google.api_core.exceptions import PreconditionFailed
    from google.cloud.storage import Blob

    def refuse(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise PreconditionFailed("a pre-condition did not hold")  # type: ignore[no-untyped-call]

    monkeypatch.setattr(Blob, "upload_from_file", refuse)
    with pytest.raises(Conflict, match=r"x\.bin"), publish_guard(FakeLock()):
        _write(f"{gcs_root}/x.bin", b"late")
    gcs = filesystem_for(gcs_root + "/")
    assert isinstance(gcs, CreateOnlyFileSystem)
    with (
        pytest.raises(TargetExistsError),
        publish_guard(FakeLock()),
        gcs.open_create(f"{gcs_root}/y.bin") as s,
    ):
        s.write(b"late")  # create-only keeps its own error: the create lost the race


def test_a_lock_factory_that_yields_a_guard_guards_the_dump(store_root: str) -> None:
    lock = FakeLock()

    @contextlib.contextmanager
    def hold() -> Iterator[FakeLock]:
        yield lock

    lock.lost = True
    target = make_target(f"{store_root}/t.pkl", lock=hold)
    with pytest.raises(Refused):
        target.dump({"a": 1})
    assert not target.exists()
    lock.lost = False
    target.dump({"a": 1})
    assert target.load() == {"a": 1}
    assert lock.checked[-1] == target.path()


def test_a_lock_factory_that_yields_anything_else_is_only_a_lock(tmp_path: Path) -> None:
    plain = threading.Lock()  # its __enter__ returns True: not a guard
    target = make_target(str(tmp_path / "t.pkl"), lock=lambda: plain)
    target.dump([1])
    assert target.load() == [1]


def test_guards_nest_and_none_adds_nothing(tmp_path: Path) -> None:
    outer, inner = FakeLock(), FakeLock()
    path = str(tmp_path / "x.bin")
    with publish_guard(outer), publish_guard(None), publish_guard(inner):
        _write(path, b"x")
    assert outer.checked == inner.checked == [path]
    outer.lost = True
    with pytest.raises(Refused), publish_guard(outer), publish_guard(inner):
        _write(path, b"y")
    assert _read(path) == b"x"


def test_a_guard_must_have_both_methods() -> None:
    assert isinstance(FakeLock(), PublishGuard)
    with pytest.raises(TypeError, match="check_publish"), publish_guard(object()):  # type: ignore[arg-type]
        pass
    assert "publish_guard" in kart_storage.__all__
    assert "PublishGuard" in kart_storage.__all__
