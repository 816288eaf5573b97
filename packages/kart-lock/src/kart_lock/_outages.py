"""Redis servers that just failed to answer, remembered for a short while per process.

Without this, every Redis call of a build waits the full timeout on a server that accepts connections
and never answers: a task's three log files, its output and its run lock would each wait again. After
one call timed out (or could not connect), further task-lock calls to the same server fail at once,
with the same kind of error, until the quiet period has passed; then the server is asked again.
"""

from __future__ import annotations

import os
import threading
import time
from typing import NamedTuple


class Outage(NamedTuple):
    """Why and until when (time.monotonic()) a server is not asked again."""

    reason: str
    until: float


_outages: dict[str, Outage] = {}
_guard = threading.Lock()


def record_outage(server: str, reason: str, seconds: float) -> None:
    """Remember that `server` (`host:port`) did not answer, for `seconds` from now."""
    with _guard:
        _outages[server] = Outage(reason, time.monotonic() + seconds)


def current_outage(server: str) -> Outage | None:
    """The outage of `server` that is still in its quiet period, if any."""
    with _guard:
        outage = _outages.get(server)
        if outage is None:
            return None
        if time.monotonic() >= outage.until:
            del _outages[server]
            return None
        return outage


def clear_outage(server: str) -> None:
    """`server` answered: forget that it did not."""
    with _guard:
        _outages.pop(server, None)


def forget_outages() -> None:
    """Forget every remembered outage (`kart_lock.reset()`)."""
    with _guard:
        _outages.clear()


def _after_fork_in_child() -> None:
    global _guard
    _guard = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)
