"""Waiting on a condition with a deadline, instead of sleeping a fixed time and hoping it was enough.

A loaded CI machine can pause any thread for a second; a test that sleeps 0.2 s and then asserts
flakes there, while one that polls until the condition holds (or a generous deadline passes) does not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float, what: str, interval: float = 0.02) -> T:
    """Poll `predicate` until it returns something truthy and return that.

    Fails with an AssertionError naming `what` when `timeout` seconds pass first. The predicate is
    evaluated once more at the deadline, so a slow poll never loses a condition that just came true.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"waited {timeout} s for {what}; it never happened")
        time.sleep(interval)


def holds_throughout(
    predicate: Callable[[], object], duration: float, what: str, interval: float = 0.05
) -> None:
    """Check `predicate` again and again for `duration` seconds; fail at the first time it is false.

    For properties that are about time passing (a lock outliving its TTL): the test still takes
    `duration`, but it says what must stay true during it rather than only at the end.
    """
    deadline = time.monotonic() + duration
    while True:
        if not predicate():
            raise AssertionError(f"{what} stopped holding before {duration} s had passed")
        if time.monotonic() >= deadline:
            return
        time.sleep(interval)
