"""exists_many of 2,000 objects on moto's S3 server (HTTP on 127.0.0.1) next to a serial loop of
exists(). Goal: exists_many >= 5x faster than the loop.

Two layouts: "crowded" (all keys in one directory, as a task's outputs usually are: settled by
listing) and "scattered" (each key in its own directory: settled by a bounded thread pool of HEADs).
Half the objects exist. Measured (2 cores, moto 5.2): crowded 0.35 s vs 10.5-13.9 s serial (31-40x);
scattered 0.41-0.48 s vs 8.4-10.0 s serial (about 20x).

Run: `python3 -m hatch run pytest benchmarks/bench_storage_exists.py -p no:randomly
--benchmark-columns=min,median,mean,rounds --benchmark-group-by=param:layout`.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import kart_storage
from _servers import moto_s3_server, running
from kart_storage import S3FileSystem

COUNT = 2_000


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3FileSystem]:
    with running(moto_s3_server()) as server, pytest.MonkeyPatch.context() as patch:
        empty = tmp_path_factory.mktemp("aws") / "none"
        patch.setenv("AWS_ENDPOINT_URL", f"http://{server.address}")
        patch.setenv("AWS_ACCESS_KEY_ID", "bench")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "bench")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv("AWS_CONFIG_FILE", str(empty))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
        filesystem = S3FileSystem()
        filesystem.client.create_bucket(Bucket="bench")
        yield filesystem
    kart_storage.configure_s3()


def _paths(layout: str) -> list[str]:
    if layout == "crowded":
        return [f"s3://bench/crowded/output_{index:05d}.pkl" for index in range(COUNT)]
    return [f"s3://bench/scattered/task_{index:05d}/output.pkl" for index in range(COUNT)]


@pytest.fixture(scope="module", params=["crowded", "scattered"])
def layout(request: pytest.FixtureRequest, s3: S3FileSystem) -> str:
    name: str = request.param
    present = _paths(name)[::2]

    def put(path: str) -> None:
        s3.client.put_object(Bucket="bench", Key=path.removeprefix("s3://bench/"), Body=b"1")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(put, present))
    return name


def _expected() -> list[bool]:
    return [index % 2 == 0 for index in range(COUNT)]


def test_serial_exists_loop(benchmark: Any, s3: S3FileSystem, layout: str) -> None:
    paths = _paths(layout)
    result = benchmark.pedantic(lambda: [s3.exists(path) for path in paths], rounds=3, iterations=1)
    assert result == _expected()


def test_exists_many(benchmark: Any, s3: S3FileSystem, layout: str) -> None:
    paths = _paths(layout)
    result = benchmark.pedantic(lambda: s3.exists_many(paths), rounds=5, iterations=1)
    assert result == _expected()
