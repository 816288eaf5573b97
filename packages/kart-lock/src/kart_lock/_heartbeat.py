"""One background thread per process that keeps every held lock alive.

Upstream starts an APScheduler thread (plus an executor pool) for every acquisition. Here all held
locks share one daemon thread that sleeps until the earliest lock is due, extends it, and sleeps again.
After `os.fork()` the child has no such thread and must not extend its parent's locks, so the
registry is replaced by an empty one in the child.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Protocol

THREAD_NAME = "kart-lock-heartbeat"


class Renewable(Protocol):
    """What the heartbeat needs from a held lock."""

    def _renew(self) -> float | None:
        """Extend the lock once; the delay until the next renewal, or None to stop renewing it."""
        ...


class Heartbeat:
    """The schedule of renewals, and the single thread that performs them."""

    def __init__(self, thread_name: str = THREAD_NAME, idle_exit: float = 60.0) -> None:
        self._thread_name = thread_name
        self._idle_exit = idle_exit  # the thread ends after this long without any held lock
        self._wakeup = threading.Condition(threading.Lock())
        self._due: dict[int, tuple[float, Renewable]] = {}
        self._thread: threading.Thread | None = None
        self._wake_at = float("inf")  # when the thread will look again (inf: waiting for work)

    def add(self, lock: Renewable, first_delay: float) -> None:
        when = time.monotonic() + first_delay
        with self._wakeup:
            self._due[id(lock)] = (when, lock)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name=self._thread_name, daemon=True)
                self._thread.start()
            if when < self._wake_at:
                # Only wake the thread when it would otherwise sleep past this lock's first renewal.
                self._wake_at = when
                self._wakeup.notify()

    def discard(self, lock: Renewable) -> None:
        with self._wakeup:
            self._due.pop(id(lock), None)

    def __len__(self) -> int:
        return len(self._due)

    def _next_due(self) -> list[Renewable] | None:
        """Block until at least one lock is due and return those; None when idle long enough to stop."""
        with self._wakeup:
            while True:
                now = time.monotonic()
                due = [lock for when, lock in self._due.values() if when <= now]
                if due:
                    self._wake_at = now
                    return due
                if self._due:
                    self._wake_at = min(when for when, _ in self._due.values())
                    self._wakeup.wait(self._wake_at - now)
                else:
                    self._wake_at = float("inf")
                    if not self._wakeup.wait(self._idle_exit) and not self._due:
                        self._thread = None  # the next add() starts a new thread
                        return None

    def _loop(self) -> None:
        while (due := self._next_due()) is not None:
            for lock in due:
                delay = lock._renew()
                with self._wakeup:
                    if id(lock) in self._due and self._due[id(lock)][1] is lock:
                        if delay is None:
                            del self._due[id(lock)]
                        else:
                            self._due[id(lock)] = (time.monotonic() + delay, lock)


_heartbeat = Heartbeat()


def heartbeat() -> Heartbeat:
    """This process's heartbeat (a fresh one in a forked child)."""
    return _heartbeat


def _after_fork_in_child() -> None:
    global _heartbeat
    _heartbeat = Heartbeat()


os.register_at_fork(after_in_child=_after_fork_in_child)
