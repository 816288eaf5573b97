"""The heartbeat's schedule, with fake locks (no Redis): one thread, per-lock intervals, stop rules."""

from __future__ import annotations

import threading
import time

from kart_lock._heartbeat import Heartbeat

THREAD_NAME = "kart-lock-heartbeat-under-test"


class FakeLock:
    def __init__(self, interval: float, renewals_before_stop: int | None = None) -> None:
        self.interval = interval
        self.calls: list[float] = []
        self.stop_after = renewals_before_stop

    def _renew(self) -> float | None:
        self.calls.append(time.monotonic())
        if self.stop_after is not None and len(self.calls) >= self.stop_after:
            return None
        return self.interval


def test_each_lock_is_renewed_at_its_own_interval_by_one_thread() -> None:
    beat = Heartbeat(THREAD_NAME, idle_exit=0.2)
    before = {t.ident for t in threading.enumerate() if t.name == THREAD_NAME}
    fast, slow = FakeLock(0.05), FakeLock(0.3)
    beat.add(fast, fast.interval)
    beat.add(slow, slow.interval)
    time.sleep(0.7)
    beat.discard(fast)
    beat.discard(slow)
    mine = {t.ident for t in threading.enumerate() if t.name == THREAD_NAME} - before
    assert len(mine) == 1
    assert len(fast.calls) >= 6
    assert 1 <= len(slow.calls) <= 3
    assert len(beat) == 0


def test_discarded_lock_is_not_renewed_again() -> None:
    beat = Heartbeat(THREAD_NAME, idle_exit=0.2)
    lock = FakeLock(0.05)
    beat.add(lock, 0.05)
    time.sleep(0.2)
    beat.discard(lock)
    seen = len(lock.calls)
    time.sleep(0.2)
    assert seen >= 1
    assert len(lock.calls) <= seen + 1  # at most one renewal that was already under way


def test_renew_returning_none_leaves_the_schedule() -> None:
    beat = Heartbeat(THREAD_NAME, idle_exit=0.2)
    lock = FakeLock(0.05, renewals_before_stop=2)
    beat.add(lock, 0.05)
    time.sleep(0.4)
    assert len(lock.calls) == 2
    assert len(beat) == 0


def test_a_later_lock_does_not_delay_an_earlier_one() -> None:
    beat = Heartbeat(THREAD_NAME, idle_exit=0.2)
    late = FakeLock(5.0)
    beat.add(late, 5.0)  # the thread now sleeps for 5 s...
    early = FakeLock(0.05)
    beat.add(early, 0.05)  # ...and must be woken for this one
    time.sleep(0.3)
    beat.discard(late)
    beat.discard(early)
    assert len(early.calls) >= 3
    assert late.calls == []


def test_idle_thread_ends_and_a_new_one_starts_on_demand() -> None:
    beat = Heartbeat(THREAD_NAME + "-idle", idle_exit=0.1)
    lock = FakeLock(0.05)
    beat.add(lock, 0.05)
    beat.discard(lock)
    time.sleep(0.4)
    assert not [t for t in threading.enumerate() if t.name == THREAD_NAME + "-idle"]
    again = FakeLock(0.05)
    beat.add(again, 0.05)
    time.sleep(0.2)
    beat.discard(again)
    assert len(again.calls) >= 1
