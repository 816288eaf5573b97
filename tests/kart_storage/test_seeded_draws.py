"""A write takes exactly one draw from the global `random` module on local disk and S3, as luigi's atomic
local and S3 files do in gokart 1.12.2: a task seeded with `fix_random_seed_value` then draws the same
numbers after a dump on kart as on gokart. (On GCS, google-cloud-storage's multipart upload already draws
its boundary from `random`; kart adds nothing there.)"""

from __future__ import annotations

import random

import pytest

from kart_storage import make_target

LUIGI_TEMPORARY_NAME_RANGE = 10_000_000_000


@pytest.mark.parametrize("store", ["local", "s3"])
def test_a_dump_takes_one_draw_from_random(store: str, request: pytest.FixtureRequest) -> None:
    root = str(request.getfixturevalue("tmp_path" if store == "local" else f"{store}_root"))
    target = make_target(f"{root}/seeded/value.pkl")
    target.dump({"warm": "the client up"})  # first use builds the client; only the seeded dump counts

    random.seed(57)
    target.dump({"x": 1})
    after_dump = random.random()

    random.seed(57)
    random.randrange(0, LUIGI_TEMPORARY_NAME_RANGE)
    assert after_dump == random.random()
    assert target.load() == {"x": 1}
