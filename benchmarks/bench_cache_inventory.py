"""The cache inventory (kart_task._cache_inventory) of 20,000 outputs on moto's S3 server: LIST pages
and seconds. Goal (issue #19): <= 25 LIST pages, no per-object request.

The outputs are put straight into the bucket (named as kart names them, `<Class>_<unique id>.pkl`,
without supplementary logs: with the five logs a task writes, the same workspace holds 120,000 objects
and a flat listing needs 120 pages; see WIP-19.md). The inventory does not read parameters here.

Run: `python3 -m hatch run pytest benchmarks/bench_cache_inventory.py -o python_files='bench_*.py' -s
-p no:randomly -p no:xdist` (filling the bucket takes a minute or two; the inventory seconds).
"""

from __future__ import annotations

import hashlib
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import kart_storage
from _request_log import RequestLog
from _servers import Server, moto_s3_server, point_boto3_at, running
from kart_task._cache_inventory import cache_inventory

OUTPUTS = 20_000


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    empty = tmp_path_factory.mktemp("aws") / "none"
    with running(moto_s3_server()) as server, pytest.MonkeyPatch.context() as patch:
        point_boto3_at(patch, server, empty)
        kart_storage.reset()
        yield server


def test_inventory_of_20000_outputs_on_s3(s3_server: Server) -> None:
    bucket = f"kart-inv-{uuid.uuid4().hex[:12]}"
    filesystem: Any = kart_storage.filesystem_for(f"s3://{bucket}/")
    client = filesystem.client
    client.create_bucket(Bucket=bucket)

    def put(index: int) -> None:
        uid = hashlib.md5(str(index).encode(), usedforsecurity=False).hexdigest()
        client.put_object(Bucket=bucket, Key=f"ws/bench/leaves/Leaf_{uid}.pkl", Body=b"x" * 16)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put, range(OUTPUTS)))
    log = RequestLog(s3_server)

    started = time.perf_counter()
    found = cache_inventory(f"s3://{bucket}/ws", read_params=False)
    seconds = time.perf_counter() - started

    counts = log.counts()
    print(f"\ninventory of {OUTPUTS} outputs on S3: {seconds:.2f} s, requests {dict(counts)}")
    assert len(found.tasks) == OUTPUTS
    assert counts == {"list": OUTPUTS // 1000 + 1}  # the objects' pages and one of unfinished uploads
    assert counts["list"] <= 25
