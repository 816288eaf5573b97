"""Create-only writes: of several writers racing on one output exactly one publishes; the others get
TargetExistsError and the published bytes are entirely the winner's.

Local disk (hard link) and memory enforce it themselves; S3 is tested against moto's server, which
honours `If-None-Match: *` on PutObject and CompleteMultipartUpload. gcp-storage-emulator ignores
`ifGenerationMatch`, so for GCS we test that the precondition is sent and that GCS's answer (412) is
translated; the real service enforces it.
"""

from __future__ import annotations

import os
import pickle
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

import kart_storage
from kart_storage import (
    CreateOnlyFileSystem,
    S3Config,
    S3FileSystem,
    SingleFileTarget,
    StorageConfigurationError,
    TargetExistsError,
    filesystem_for,
    make_file_processor,
    make_target,
)


@pytest.fixture(params=["local", "memory", "s3"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "local":
        return str(tmp_path)
    if request.param == "memory":
        return f"memory://create-only-{uuid.uuid4().hex}"
    return str(request.getfixturevalue("s3_root"))


def test_every_builtin_file_system_can_create_only() -> None:
    for path in ("/tmp/x", "memory://x", "s3://b/x", "gs://b/x"):
        assert isinstance(filesystem_for(path), CreateOnlyFileSystem)


def test_second_create_fails_and_keeps_the_first(root: str) -> None:
    filesystem = filesystem_for(root + "/")
    assert isinstance(filesystem, CreateOnlyFileSystem)
    path = f"{root}/out/x.bin"
    with filesystem.open_create(path) as stream:
        stream.write(b"first")
    with pytest.raises(TargetExistsError, match=r"x\.bin") as caught, filesystem.open_create(path) as stream:
        stream.write(b"second")
    assert caught.value.path == path
    assert isinstance(caught.value, FileExistsError)
    with filesystem.open_read(path) as stream:
        assert stream.read() == b"first"


def test_target_dump_create_only_raises_for_the_loser_and_leaves_no_litter(root: str) -> None:
    target = make_target(f"{root}/result.pkl", create_only=True)
    target.dump({"winner": True})
    with pytest.raises(TargetExistsError):
        make_target(f"{root}/result.pkl", create_only=True).dump({"winner": False})
    assert target.load() == {"winner": True}
    if not root.startswith(("memory://", "s3://")):
        assert sorted(os.listdir(root)) == ["result.pkl"]


class _Unpicklable:
    """Refuses pickle and dill alike (a lock is picklable once dill is installed)."""

    def __reduce__(self) -> Any:
        raise pickle.PicklingError("this object refuses to be pickled")


def test_a_failing_dump_publishes_nothing(root: str) -> None:
    target = make_target(f"{root}/broken.pkl", create_only=True)
    with pytest.raises(Exception, match=r"(?i)pickl"):
        target.dump(_Unpicklable())
    assert not target.exists()
    target.dump("later")
    assert target.load() == "later"


def _race(filesystem: CreateOnlyFileSystem, path: str, workers: int) -> dict[int, str]:
    """`workers` threads released together, each creating `path` with its own byte pattern."""
    start = threading.Barrier(workers)
    outcomes: dict[int, str] = {}

    def write(worker: int) -> None:
        start.wait()
        try:
            with filesystem.open_create(path) as stream:
                for _ in range(64):
                    stream.write(bytes([worker]) * 4096)
            outcomes[worker] = "won"
        except TargetExistsError:
            outcomes[worker] = "lost"

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_racing_writers_exactly_one_wins(root: str) -> None:
    """Eight threads per round, released by a barrier; on S3 moto's server arbitrates (If-None-Match)."""
    for round_number in range(20):
        path = f"{root}/race-{round_number}.bin"
        filesystem = filesystem_for(path)
        assert isinstance(filesystem, CreateOnlyFileSystem)
        outcomes = _race(filesystem, path, 8)
        winners = [worker for worker, outcome in outcomes.items() if outcome == "won"]
        assert len(outcomes) == 8
        assert len(winners) == 1, outcomes
        with filesystem.open_read(path) as stream:
            assert stream.read() == bytes([winners[0]]) * 4096 * 64
    if "://" not in root:  # no staging or temporary files left by the losers
        assert sorted(os.listdir(root)) == sorted(f"race-{n}.bin" for n in range(20))


def test_s3_multipart_create_is_conditional_too(s3_root: str) -> None:
    config = S3Config(multipart_threshold=5 * 2**20, multipart_chunksize=5 * 2**20)
    s3 = S3FileSystem(config)
    path = f"{s3_root}/big.bin"
    payload = os.urandom(11 * 2**20)  # three parts
    with s3.open_create(path, metadata={"who": "first"}) as stream:
        stream.write(payload)
    with pytest.raises(TargetExistsError), s3.open_create(path) as stream:
        stream.write(b"x" * (11 * 2**20))
    with s3.open_read(path) as stream:
        assert stream.read() == payload
    assert s3.read_metadata(path) == {"who": "first"}
    bucket = s3_root.removeprefix("s3://")
    assert s3.client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []  # the loser aborted


def test_s3_create_only_sends_if_none_match(s3_root: str) -> None:
    s3 = filesystem_for(s3_root + "/")
    assert isinstance(s3, S3FileSystem)
    seen: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        seen.append(dict(params.get("headers", {})))

    s3.client.meta.events.register("before-call.s3.PutObject", record)
    try:
        with s3.open_create(f"{s3_root}/h.bin") as stream:
            stream.write(b"x")
    finally:
        s3.client.meta.events.unregister("before-call.s3.PutObject", record)
    assert seen
    assert seen[0].get("If-None-Match") == "*"


def test_gcs_create_only_sends_if_generation_match_zero(
    gcs_root: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from google.cloud.storage import Blob

    calls: list[dict[str, Any]] = []
    real = Blob.upload_from_file

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Blob, "upload_from_file", spy)
    target = make_target(f"{gcs_root}/x.pkl", create_only=True)
    target.dump([1, 2, 3])
    assert target.load() == [1, 2, 3]
    assert calls[-1]["if_generation_match"] == 0
    make_target(f"{gcs_root}/y.pkl").dump([4])
    assert "if_generation_match" not in calls[-1]


def test_gcs_precondition_failure_is_target_exists(gcs_root: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from google.api_core.exceptions import PreconditionFailed
    from google.cloud.storage import Blob

    def refuse(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise PreconditionFailed("a pre-condition did not hold")  # type: ignore[no-untyped-call]

    monkeypatch.setattr(Blob, "upload_from_file", refuse)
    with pytest.raises(TargetExistsError, match=r"x\.pkl"):
        make_target(f"{gcs_root}/x.pkl", create_only=True).dump("late")


def test_gcs_emulator_ignores_the_precondition(gcs_root: str) -> None:
    """Documents why GCS races are not tested end to end here: the emulator overwrites anyway."""
    gcs = filesystem_for(gcs_root + "/")
    assert isinstance(gcs, CreateOnlyFileSystem)
    for content in (b"first", b"second"):
        with gcs.open_create(f"{gcs_root}/x.bin") as stream:
            stream.write(content)
    with kart_storage.filesystem_for(gcs_root + "/").open_read(f"{gcs_root}/x.bin") as stream:
        assert stream.read() == b"second"


def test_a_file_system_without_open_create_is_refused_up_front() -> None:
    class Plain:
        exists = open_read = open_write = remove = last_modified = exists_many = None

    with pytest.raises(StorageConfigurationError, match=r"create_only=True for x\.pkl: Plain"):
        SingleFileTarget("x.pkl", make_file_processor("x.pkl"), filesystem=Plain(), create_only=True)  # type: ignore[arg-type]


def test_local_without_hard_links_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(source: str, destination: str) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = make_target(str(tmp_path / "x.pkl"), create_only=True)
    with pytest.raises(StorageConfigurationError, match="hard links"):
        target.dump(1)
    assert os.listdir(tmp_path) == []
