"""The worker's result queue keeps results put by its own process local and takes forked ones from the
multiprocessing queue, in the order they were sent."""

from __future__ import annotations

import multiprocessing
import queue
import time

import pytest

from kart_task._luigi.result_queue import ResultQueue


def _new() -> ResultQueue:
    return ResultQueue(multiprocessing.get_context("fork").Queue())


def _put_from_child(results: ResultQueue, item: str) -> None:
    child = multiprocessing.get_context("fork").Process(target=results.put, args=(item,))
    child.start()
    child.join()
    assert child.exitcode == 0


def test_same_process_items_in_order_without_the_pipe() -> None:
    results = _new()
    results.put("a")
    results.put("b")
    assert results._inner.empty()  # nothing went through the pipe
    assert [results.get(timeout=1), results.get(timeout=1)] == ["a", "b"]
    with pytest.raises(queue.Empty):
        results.get(timeout=0.01)
    results.close()


def test_items_from_a_forked_process_arrive() -> None:
    results = _new()
    _put_from_child(results, "from child")
    assert results.get(timeout=10) == "from child"
    results.close()


def test_an_earlier_forked_item_comes_before_a_later_local_one() -> None:
    results = _new()
    _put_from_child(results, "first")
    deadline = time.monotonic() + 10
    while results._inner.empty() and time.monotonic() < deadline:  # in the pipe, not yet read
        time.sleep(0.01)
    results.put("second")
    assert [results.get(timeout=1), results.get(timeout=1)] == ["first", "second"]
    assert results.empty()
    results.close()
