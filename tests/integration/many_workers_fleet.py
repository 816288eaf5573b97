"""A fleet on one machine: luigid, Redis, an object store, and worker processes that build one pipeline.

Shared by tests/integration/test_many_workers.py and benchmarks/bench_many_workers.py. Everything listens
on 127.0.0.1. Worker processes get their settings from the environment (object store endpoint,
LUIGI_CONFIG_PATH), exactly as workers on other machines would.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis

import kart_storage
from _servers import Server, gcs_emulator, luigid, moto_s3_server, redis_server, running

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
REPO = TESTS.parent

_buckets = itertools.count()


def write_luigi_config(
    directory: Path, *, worker_disconnect_delay: float = 3.0, retry_delay: float = 1.0
) -> Path:
    """One luigi config for luigid and every worker: short timeouts so a dead worker is noticed in seconds.

    `prune_on_get_work` makes luigid notice dead workers and retry failed tasks at every request instead of
    once a minute; `keep_alive` keeps a worker waiting while other workers still run tasks it needs.
    """
    worker = (
        "keep_alive = true\nping_interval = 0.3\nwait_interval = 0.1\nwait_jitter = 0.1\n"
        "max_reschedules = 3\n"
    )
    text = (
        "[scheduler]\n"
        f"worker_disconnect_delay = {worker_disconnect_delay}\n"
        f"retry_delay = {retry_delay}\n"
        "prune_on_get_work = true\n"
        "record_task_history = false\n"
        f"[worker]\n{worker}"
        f"[gokart_worker]\n{worker}"
    )
    path = directory / "luigi.cfg"
    path.write_text(text)
    return path


@dataclass
class Store:
    """An object store server and the environment that points clients at it."""

    scheme: str
    server: Server
    env: dict[str, str]

    def new_bucket(self) -> str:
        """A fresh, empty bucket; its URL (`s3://...` or `gs://...`)."""
        name = f"kart-fleet-{os.getpid()}-{next(_buckets)}"
        filesystem: Any = kart_storage.filesystem_for(f"{self.scheme}://{name}/")
        if self.scheme == "s3":
            filesystem.client.create_bucket(Bucket=name)
        else:
            filesystem.client.create_bucket(name)
        return f"{self.scheme}://{name}"

    def list_objects(self, bucket_url: str) -> list[str]:
        """Every object path in the bucket, as a URL."""
        name = bucket_url.split("://", 1)[1].strip("/")
        filesystem: Any = kart_storage.filesystem_for(f"{bucket_url}/")
        if self.scheme == "s3":
            paginator = filesystem.client.get_paginator("list_objects_v2")
            keys = [
                item["Key"] for page in paginator.paginate(Bucket=name) for item in page.get("Contents", [])
            ]
        else:
            keys = [blob.name for blob in filesystem.client.list_blobs(name)]
        return [f"{bucket_url}/{key}" for key in keys]


def _s3_env(server: Server, empty: Path) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": f"http://{server.address}",
        "AWS_ACCESS_KEY_ID": "kart-testing",
        "AWS_SECRET_ACCESS_KEY": "kart-testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
    }


def _gcs_env(server: Server) -> dict[str, str]:
    return {"STORAGE_EMULATOR_HOST": f"http://{server.address}", "GOOGLE_CLOUD_PROJECT": "kart-test"}


@contextlib.contextmanager
def object_store(scheme: str, scratch: Path) -> Iterator[Store]:
    """moto's S3 server or the GCS emulator, with this process's clients pointed at it."""
    server = moto_s3_server() if scheme == "s3" else gcs_emulator()
    with running(server), pytest.MonkeyPatch.context() as patch:
        env = _s3_env(server, scratch / "no-aws-config") if scheme == "s3" else _gcs_env(server)
        for name, value in env.items():
            patch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "GCS_CREDENTIAL"):
            patch.delenv(name, raising=False)
        configure = kart_storage.configure_s3 if scheme == "s3" else kart_storage.configure_gcs
        configure()  # a new client that reads the variables above
        try:
            yield Store(scheme, server, env)
        finally:
            configure()


@contextlib.contextmanager
def scheduler_and_redis(config_path: Path) -> Iterator[tuple[Server, Server]]:
    """luigid (reading `config_path`) and redis-server, for the length of a with-block."""
    scheduler = luigid()
    scheduler.env["LUIGI_CONFIG_PATH"] = str(config_path)
    with running(scheduler), running(redis_server()) as redis_process:
        yield scheduler, redis_process


@dataclass
class WorkerProcess:
    """One worker process of the fleet, with its output in files (pipes could fill up and block it)."""

    process: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def describe(self) -> str:
        return (
            f"worker {self.pid} exited with {self.process.returncode}\n--- stdout\n{self.stdout()[-3000:]}"
            f"\n--- stderr\n{self.stderr()[-6000:]}"
        )


@dataclass
class Fleet:
    """Where a fleet's workers find luigid, Redis and the workspace."""

    scheduler: Server
    redis: Server
    store: Store
    config_path: Path
    logs: Path

    def worker_env(self) -> dict[str, str]:
        paths = [str(HERE), str(TESTS), os.environ.get("PYTHONPATH", "")]
        return {
            **os.environ,
            **self.store.env,
            "LUIGI_CONFIG_PATH": str(self.config_path),
            "PYTHONPATH": os.pathsep.join(p for p in paths if p),
        }

    def task_options(self, tag: str, workspace: str, **overrides: Any) -> dict[str, Any]:
        """Parameters of the root task (handed down to every task of the pipeline)."""
        options: dict[str, Any] = {
            "tag": tag,
            "workspace_directory": workspace,
            "redis_host": self.redis.host,
            "redis_port": self.redis.port,
            "counter_port": self.redis.port,
            "should_lock_run": False,
            "work_seconds": 0.1,
            # Six small PUTs per task; one test keeps them to show the log files are shared too.
            "should_dump_supplementary_log_files": False,
        }
        options.update(overrides)
        return options

    def start_workers(self, count: int, options: dict[str, Any]) -> list[WorkerProcess]:
        """`count` worker processes that each build the same root through luigid, started together."""
        arguments = json.dumps(
            {**options, "scheduler": {"host": self.scheduler.host, "port": self.scheduler.port}}
        )
        code = "import many_workers_pipeline as p; p.main()"
        return [self._spawn(["-c", code, arguments]) for _ in range(count)]

    def start_cli_workers(self, count: int, options: dict[str, Any]) -> list[WorkerProcess]:
        """`count` processes running `python -m many_workers_cli Root --scheduler-host ...` (gokart.run)."""
        argv = ["Root", "--scheduler-host", self.scheduler.host, "--scheduler-port", str(self.scheduler.port)]
        # --no-lock: luigi's own per-machine lock would let only one identical command line run on this host.
        argv += ["--workers", "1", "--log-level", "WARNING", "--no-lock"]
        for name, value in options.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            argv += [f"--{name.replace('_', '-')}", text]
        return [self._spawn(["-m", "many_workers_cli", *argv]) for _ in range(count)]

    def _spawn(self, arguments: list[str]) -> WorkerProcess:
        number = next(_buckets)
        out = self.logs / f"worker-{number}.out"
        err = self.logs / f"worker-{number}.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, *arguments],
                stdout=stdout,
                stderr=stderr,
                env=self.worker_env(),
                cwd=self.logs,
            )
        return WorkerProcess(process, out, err)

    def counter(self) -> redis.Redis:
        return redis.Redis(host=self.redis.host, port=self.redis.port)


def wait_for(workers: list[WorkerProcess], timeout: float) -> None:
    """Wait for every worker; on timeout kill the ones still running and fail with their logs."""
    deadline = time.monotonic() + timeout
    for worker in workers:
        try:
            worker.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for other in workers:
                if other.process.poll() is None:
                    other.process.kill()
                    other.process.wait()
            logs = "\n".join(w.describe() for w in workers)
            raise AssertionError(f"workers did not finish in {timeout} s:\n{logs}") from None
    for worker in workers:
        for line in worker.stdout().splitlines():
            if line.startswith("RESULT "):
                worker.result = json.loads(line.removeprefix("RESULT "))


def run_counts(counter: redis.Redis, tasks: list[Any]) -> dict[str, int]:
    """How many times each task's run() started, by task label."""
    keys = [f"runs:{task.make_unique_id()}" for task in tasks]
    values = counter.mget(keys)
    return {task.label(): int(value or 0) for task, value in zip(tasks, values, strict=True)}
