"""A lock holder paused past its TTL must not publish over the output of the worker that took the lock.

Real redis-server, real stores (local disk, moto's S3 server, the GCS emulator) and a real second process:
the holder (stale_lock_holder.py) stops itself with SIGSTOP at a chosen point of its dump; the test waits
until the kernel reports it stopped, until Redis has expired its key, then takes the lock and writes
its own bytes, and only then sends SIGCONT. No sleep is guessed: every step waits for a fact.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

import kart_lock
import kart_storage
import kart_task  # noqa: F401 - installs the lock wrappers and the publish scope, as in a gokart build
from _servers import (
    Server,
    aws_environment,
    gcs_emulator,
    moto_s3_server,
    point_boto3_at,
    redis_server,
    running,
)
from _waiting import wait_until

HOLDER = Path(__file__).with_name("stale_lock_holder.py")
LOST = 3  # the holder's exit status on LockLostError


@pytest.fixture(scope="module")
def redis_srv() -> Iterator[Server]:
    with running(redis_server()) as server:
        yield server


@pytest.fixture
def rconn(redis_srv: Server) -> Iterator[redis.Redis]:
    client = redis.Redis(host=redis_srv.host, port=redis_srv.port, socket_timeout=5)
    client.flushall()
    yield client
    client.close()
    kart_lock.reset()


@pytest.fixture(scope="module")
def s3_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """moto's S3 server, the AWS_* variables pointing at it (here and for the holder's environment)."""
    empty = tmp_path_factory.mktemp("aws") / "none"
    with running(moto_s3_server()) as server, pytest.MonkeyPatch.context() as patch:
        point_boto3_at(patch, server, empty)
        kart_storage.configure_s3()
        try:
            yield {name: value for name, value in aws_environment(server, empty).items() if value}
        finally:
            kart_storage.configure_s3()


@pytest.fixture(scope="module")
def gcs_env() -> Iterator[dict[str, str]]:
    with running(gcs_emulator()) as server, pytest.MonkeyPatch.context() as patch:
        env = {"STORAGE_EMULATOR_HOST": f"http://{server.address}", "GOOGLE_CLOUD_PROJECT": "kart-test"}
        for name, value in env.items():
            patch.setenv(name, value)
        patch.delenv("GCS_CREDENTIAL", raising=False)
        kart_storage.configure_gcs()
        try:
            yield env
        finally:
            kart_storage.configure_gcs()


def _root(store: str, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[str, dict[str, str]]:
    """A fresh place on `store` and the environment a holder process needs to reach it."""
    if store == "local":
        return str(tmp_path), {}
    bucket = f"stale-{request.node.name.split('[')[1].rstrip(']').replace('-', '')[:40].lower()}"
    if store == "s3":
        env = request.getfixturevalue("s3_env")
        fs = kart_storage.filesystem_for(f"s3://{bucket}/")
        assert isinstance(fs, kart_storage.S3FileSystem)
        fs.client.create_bucket(Bucket=bucket)
        return f"s3://{bucket}", env
    env = request.getfixturevalue("gcs_env")
    gfs = kart_storage.filesystem_for(f"gs://{bucket}/")
    assert isinstance(gfs, kart_storage.GCSFileSystem)
    gfs.client.create_bucket(bucket)
    return f"gs://{bucket}", env


def _stored(path: str) -> bytes:
    with kart_storage.filesystem_for(path).open_read(path) as stream:
        return stream.read()


def _wait_until_stopped(holder: subprocess.Popen[str]) -> None:
    def stopped() -> bool:
        pid, status = os.waitpid(holder.pid, os.WNOHANG | os.WUNTRACED)
        if pid == 0:
            return False
        if os.WIFSTOPPED(status):
            return True
        holder.returncode = os.waitstatus_to_exitcode(status)  # it ended instead: say why
        out, err = holder.communicate()
        raise AssertionError(f"the holder exited ({holder.returncode}) before stopping:\n{out}\n{err}")

    wait_until(stopped, 60, "the holder to stop itself in its dump")


def _second_writer(how: str, path: str, server: Server) -> None:
    """The worker that takes the expired lock: dumps b"fresh" the way the holder tried to."""
    if how in ("task", "gokart"):
        params = kart_lock.make_task_lock_params(
            path, None, redis_host=server.host, redis_port=server.port, redis_timeout=2, lock_extend_seconds=1
        )
        kart_storage.make_target(path, lock_params=params).dump(b"fresh")
        return
    lock = kart_lock.RedisLock("stale-holder", host=server.host, port=server.port, ttl=2, extend_interval=1)
    with lock, kart_storage.publish_guard(lock):
        kart_storage.make_target(path).dump(b"fresh")


def _leftovers(root: str) -> list[str]:
    return [name for name in os.listdir(root) if "-kart-tmp-" in name] if "://" not in root else []


SCENARIOS = [
    # (store, how, where): every store refuses a publish once the lock is known lost ...
    ("local", "task", "before-check"),
    ("local", "standalone", "before-check"),
    ("local", "gokart", "before-check"),
    ("s3", "task", "before-check"),
    ("gcs", "task", "before-check"),
    # ... and S3 also refuses one that starts after the check passed (If-None-Match / If-Match).
    ("s3", "task", "after-check"),
    ("s3", "standalone", "after-check"),
]


def _race(
    store: str,
    how: str,
    where: str,
    server: Server,
    rconn: redis.Redis,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> tuple[str, str, subprocess.Popen[str], bytes, str]:
    """Run the holder until it stops, let its lock expire, write b"fresh" under the lock, resume it.
    (root, key, the finished holder, the bytes the second writer published, the holder's output)."""
    root, env = _root(store, tmp_path, request)
    path = f"{root}/output.pkl"
    key = "stale-holder" if how == "standalone" else kart_lock.make_task_lock_key(path, None)
    if how == "standalone":
        kart_storage.make_target(path).dump(b"original")  # the holder replaces an existing object
    holder = subprocess.Popen(
        [sys.executable, str(HOLDER), server.host, str(server.port), path, how, where],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until_stopped(holder)
        wait_until(lambda: rconn.exists(key) == 0, 30, "Redis to expire the stopped holder's lock")
        _second_writer("task" if how == "unguarded" else how, path, server)
        fresh = _stored(path)
    finally:
        os.kill(holder.pid, signal.SIGCONT)
    out, err = holder.communicate(timeout=60)
    return root, key, holder, fresh, f"stdout:\n{out}\nstderr:\n{err}"


@pytest.mark.parametrize(("store", "how", "where"), SCENARIOS, ids=["-".join(s) for s in SCENARIOS])
def test_a_paused_holder_does_not_overwrite_the_new_holders_output(
    store: str,
    how: str,
    where: str,
    redis_srv: Server,
    rconn: redis.Redis,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    root, key, holder, fresh, said = _race(store, how, where, redis_srv, rconn, tmp_path, request)
    path = f"{root}/output.pkl"
    assert _stored(path) == fresh  # the second writer's bytes survive
    assert holder.returncode == LOST, said
    lost_error = said.split("LockLostError: ", 1)[-1]
    assert key in lost_error
    assert path in lost_error
    assert kart_storage.make_target(path).load() == b"fresh"
    assert _leftovers(root) == []


def test_control_without_the_guard_the_paused_holder_overwrites(
    redis_srv: Server, rconn: redis.Redis, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The failure the guard prevents, reproduced: with no publish scope installed (the behaviour before
    issue #17) the resumed holder replaces the new holder's output, and only its release says so."""
    root, _, holder, fresh, said = _race(
        "local", "unguarded", "before-check", redis_srv, rconn, tmp_path, request
    )
    assert holder.returncode == LOST, said
    assert _stored(f"{root}/output.pkl") != fresh
    assert kart_storage.make_target(f"{root}/output.pkl").load() == b"stale"


def test_kart_task_wires_kart_locks_dumps_to_kart_storages_guard(redis_srv: Server) -> None:
    lock = kart_lock.RedisLock("wiring", host=redis_srv.host, port=redis_srv.port)
    assert isinstance(lock, kart_storage.PublishGuard)
    with kart_lock._publish.publish_scope(lock):
        assert kart_storage._publish_guard.guarded()
    assert not kart_storage._publish_guard.guarded()
