"""Tasks cross process boundaries under the `spawn` start method (upstream's lru_cache broke this)."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

from myproj import tasks as t

sys.path.insert(0, str(Path(__file__).parent))

from spawn_helpers import unique_id_and_path


def test_a_task_chain_is_usable_in_a_spawned_process() -> None:
    task = t.ChainC(b=t.ChainB(a=t.ChainA(x=7)))
    expected = (task.make_unique_id(), task.output().path())
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        assert pool.apply(unique_id_and_path, (task,)) == expected
    assert expected[0] == "ec3a8f22e34946d8a440e8ece930a559"
