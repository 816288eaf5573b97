"""The cache inventory (kart_task._cache_inventory) of 20,000 outputs on moto's S3 server: LIST pages
and seconds. Goal (issue #19): <= 25 LIST pages, no per-object request. Then a collection of 2,000
outputs (kart_task._cache_collect), 16 units at a time against one after another: seconds and requests.

The outputs are put straight into the bucket (named as kart names them, `<Class>_<unique id>.pkl`,
without supplementary logs: with the five logs a task writes, the same workspace holds 120,000 objects
and a flat listing needs 120 pages). The inventory does not read parameters here.

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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import kart_storage
from _request_log import RequestLog
from _servers import Server, moto_s3_server, point_boto3_at, running
from kart_task import _cache_collect
from kart_task._cache_collect import apply_collection, plan_collection
from kart_task._cache_inventory import cache_inventory

OUTPUTS = 20_000
COLLECTED = 2_000


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    empty = tmp_path_factory.mktemp("aws") / "none"
    with running(moto_s3_server()) as server, pytest.MonkeyPatch.context() as patch:
        point_boto3_at(patch, server, empty)
        kart_storage.reset()
        yield server


def _filled_bucket(outputs: int) -> str:
    """A fresh bucket holding `outputs` task outputs under `ws/`; its name."""
    bucket = f"kart-inv-{uuid.uuid4().hex[:12]}"
    filesystem: Any = kart_storage.filesystem_for(f"s3://{bucket}/")
    client = filesystem.client
    client.create_bucket(Bucket=bucket)

    def put(index: int) -> None:
        uid = hashlib.md5(str(index).encode(), usedforsecurity=False).hexdigest()
        client.put_object(Bucket=bucket, Key=f"ws/bench/leaves/Leaf_{uid}.pkl", Body=b"x" * 16)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(put, range(outputs)))
    return bucket


def test_inventory_of_20000_outputs_on_s3(s3_server: Server) -> None:
    bucket = _filled_bucket(OUTPUTS)
    log = RequestLog(s3_server)

    started = time.perf_counter()
    found = cache_inventory(f"s3://{bucket}/ws", read_params=False)
    seconds = time.perf_counter() - started

    counts = log.counts()
    print(f"\ninventory of {OUTPUTS} outputs on S3: {seconds:.2f} s, requests {dict(counts)}")
    assert len(found.tasks) == OUTPUTS
    assert counts == {"list": OUTPUTS // 1000 + 1}  # the objects' pages and one of unfinished uploads
    assert counts["list"] <= 25


@pytest.mark.parametrize("removers", [1, 16])
def test_collection_of_2000_outputs_on_s3(
    s3_server: Server, removers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`gc` of everything: a time request and a removal per object either way; 16 units at a time
    (the default on object stores) against one after another."""
    monkeypatch.setattr(_cache_collect, "_REMOVERS", removers)
    bucket = _filled_bucket(COLLECTED)
    plan = plan_collection(
        f"s3://{bucket}/ws", older_than=timedelta(0), started_at=datetime.now(UTC) + timedelta(seconds=2)
    )
    log = RequestLog(s3_server)

    started = time.perf_counter()
    result = apply_collection(plan)
    seconds = time.perf_counter() - started

    counts = log.counts()
    print(f"\ncollection of {COLLECTED} outputs on S3, {removers} at a time: {seconds:.2f} s, {dict(counts)}")
    assert len(result.removed) == COLLECTED
    # per object: a HEAD for its time, then S3's remove (a HEAD, to report a file already gone, and a DELETE)
    assert counts == {"exists": 2 * COLLECTED, "delete": COLLECTED}
