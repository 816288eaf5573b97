"""The heartbeat's schedule, with fake locks (no Redis): one thread, per-lock intervals, stop rules.

Every check waits on a condition with a generous deadline: a loaded machine may pause the heartbeat
thread, which only delays renewals. What must never happen is a renewal earlier than its interval,
so the intervals are checked on the recorded times rather than by counting calls in a fixed sleep.
"""

from __future__ import annotations

import threading
import time

from _waiting import wait_until
from kart_lock._heartbeat import Heartbeat

THREAD_NAME = "kart-lock-heartbeat-under-test"
DEADLINE = 30.0  # seconds; only reached when something is broken


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

    def gaps(self) -> list[float]:
        return [later - earlier for earlier, later in zip(self.calls, self.calls[1:], strict=False)]


def _let_the_thread_go_round(beat: Heartbeat, rounds: int = 3) -> None:
    """Wait until the heartbeat thread has renewed a probe lock `rounds` times (it is not stuck)."""
    probe = FakeLock(0.05)
    beat.add(probe, 0.05)
    wait_until(lambda: len(probe.calls) >= rounds, DEADLINE, f"{rounds} renewals of a probe lock")
    beat.discard(probe)


def test_each_lock_is_renewed_at_its_own_interval_by_one_thread() -> None:
    beat = Heartbeat(THREAD_NAME, idle_exit=0.2)
    before = {t.ident for t in threading.enumerate() if t.name == THREAD_NAME}
    fast, slow = FakeLock(0.05), FakeLock(0.3)
    added = time.monotonic()
    beat.add(fast, fast.interval)
    beat.add(slow, slow.interval)
    wait_until(lambda: len(fast.calls) >= 6 and len(slow.calls) >= 2, DEADLINE, "6 fast and 2 slow renewals")
    mine = {t.ident for t in threading.enumerate() if t.name == THREAD_NAME} - before
    beat.discard(fast)
    beat.discard(slow)
    assert len(mine) == 1
    assert fast.calls[0] - added >= 0.05
    assert slow.calls[0] - added >= 0.3
    assert min(fast.gaps()) >= 0.05  # never earlier than its own interval...
    assert min(slow.gaps()) >= 0.3  # ...and the slow one is not dragged along at the fast one's pace
    assert len(beat) == 0


def test_discarded_lock_is_not_renewed_again() -> None:
    beat = Heartbeat(THREAD_NAME, idle_exit=0.2)
    lock = FakeLock(0.05)
    beat.add(lock, 0.05)
    wait_until(lambda: len(lock.calls) >= 1, DEADLINE, "a first renewal")
    beat.discard(lock)
    seen = len(lock.calls)
    _let_the_thread_go_round(beat)  # rounds in which the discarded lock would have been due
    assert seen >= 1
    assert len(lock.calls) <= seen + 1  # at most one renewal that was already under way


def test_renew_returning_none_leaves_the_schedule() -> None:
    beat = Heartbeat(THREAD_NAME, idle_exit=0.2)
    lock = FakeLock(0.05, renewals_before_stop=2)
    beat.add(lock, 0.05)
    wait_until(lambda: len(beat) == 0, DEADLINE, "the lock to leave the schedule")
    _let_the_thread_go_round(beat)
    assert len(lock.calls) == 2
    assert len(beat) == 0


def test_a_later_lock_does_not_delay_an_earlier_one() -> None:
    beat = Heartbeat(THREAD_NAME, idle_exit=0.2)
    late = FakeLock(300.0)
    beat.add(late, 300.0)  # the thread now sleeps for 300 s...
    early = FakeLock(0.05)
    beat.add(early, 0.05)  # ...and must be woken for this one (well before the late one is due)
    wait_until(lambda: len(early.calls) >= 3, DEADLINE, "3 renewals of the early lock")
    beat.discard(late)
    beat.discard(early)
    assert len(early.calls) >= 3
    assert late.calls == []


def test_idle_thread_ends_and_a_new_one_starts_on_demand() -> None:
    name = THREAD_NAME + "-idle"
    beat = Heartbeat(name, idle_exit=0.1)
    lock = FakeLock(0.05)
    beat.add(lock, 0.05)
    beat.discard(lock)
    wait_until(
        lambda: not [t for t in threading.enumerate() if t.name == name], DEADLINE, "the idle thread to end"
    )
    again = FakeLock(0.05)
    beat.add(again, 0.05)
    wait_until(lambda: len(again.calls) >= 1, DEADLINE, "a renewal by a new thread")
    beat.discard(again)
    assert len(again.calls) >= 1
