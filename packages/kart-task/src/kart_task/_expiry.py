"""`cache_expiration`: an output written longer ago than the task's expiration counts as missing.

The age is now (UTC, this machine's clock, through `_now` so tests can move it) minus the time the
store reports for the output: the file's mtime on local disk, the server's `LastModified` / `updated`
on S3 and GCS. A clock ahead of the store's makes outputs look older by the skew, a clock behind
younger; keep expirations well above any skew (NTP keeps it to well under a second).

Only tasks with an expiration ask for modification times (one request per output on an object store,
none for tasks without it).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, NamedTuple

__all__ = ["ExpiredOutput", "describe", "expiration_of", "expired_outputs", "outputs_fresh"]


class ExpiredOutput(NamedTuple):
    """An output older than its task's `cache_expiration`, and when it was written (UTC)."""

    target: Any
    written: datetime.datetime


def _now() -> datetime.datetime:
    """The moment ages are measured from (a seam: tests replace it to age outputs on object stores)."""
    return datetime.datetime.now(datetime.UTC)


def expiration_of(task: Any) -> datetime.timedelta | None:
    """The task's `cache_expiration` (None for tasks without the option)."""
    value = getattr(task, "cache_expiration", None)
    if value is None:
        return None
    if not isinstance(value, datetime.timedelta):
        raise TypeError(
            f"{type(task).__name__}: cache_expiration must be a datetime.timedelta or None,"
            f" got {type(value).__name__}: {value!r:.80}"
        )
    return value


def _written(task: Any, target: Any) -> datetime.datetime:
    moment = getattr(target, "last_modification_time", None)
    if not callable(moment):
        raise TypeError(
            f"{type(task).__name__}: cache_expiration needs outputs that tell their modification time;"
            f" {type(target).__name__} {target!r:.80} has no last_modification_time()"
        )
    written = moment()
    if not isinstance(written, datetime.datetime):
        raise TypeError(f"{type(target).__name__}.last_modification_time() returned {written!r:.80}")
    if written.tzinfo is None:  # a naive time is read as UTC (as kart-storage's targets return)
        written = written.replace(tzinfo=datetime.UTC)
    return written


def expired_outputs(task: Any, outputs: Sequence[Any]) -> list[ExpiredOutput]:
    """The outputs (all existing) written before now minus the task's expiration; none without one."""
    expiration = expiration_of(task)
    if expiration is None:
        return []
    oldest_allowed = _now() - expiration
    expired = []
    for target in outputs:
        written = _written(task, target)
        if written < oldest_allowed:
            expired.append(ExpiredOutput(target, written))
    return expired


def outputs_fresh(task: Any, outputs: Sequence[Any]) -> bool:
    """No output of `task` is older than its expiration (outputs must exist)."""
    return not expired_outputs(task, outputs)


def describe(expiration: datetime.timedelta) -> str:
    """`7 days`, `1 day 12 hours`, `90 seconds`: the expiration as a reader writes it."""
    days = expiration.days
    hours, rest = divmod(expiration.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [
        f"{count} {unit}{'s' if count != 1 else ''}"
        for count, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"), (seconds, "second"))
        if count
    ]
    if expiration.microseconds:
        parts.append(f"{expiration.microseconds} microseconds")
    return " ".join(parts) or "0 seconds"
