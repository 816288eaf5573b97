"""Publish guards: a lock's say on whether a write may still become visible.

A writer that holds a lock (kart-lock's `RedisLock`, or anything with the same two methods) can lose it
while it writes: paused past the lock's TTL, another worker takes the lock and publishes. Inside
`publish_guard(guard)` every backend asks the guard immediately before the step that makes bytes
visible (the rename on local disk, the upload or its completion on S3/GCS) and aborts the write when
the guard refuses. Object stores also publish conditionally, on the version seen when the write
started, so a write that passed the check still cannot replace a newer object; when the store refuses,
the guard names the error.

kart-storage never imports a lock library: the guard is a protocol, handed down by whoever holds the
lock (kart-task wires kart-lock's wrappers to `publish_guard`).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Protocol, runtime_checkable


@runtime_checkable
class PublishGuard(Protocol):
    """What a lock offers to the writes made while it is held."""

    def check_publish(self, path: str) -> None:
        """Raise when publishing `path` now could overwrite another holder's output (the lock is lost)."""
        ...

    def publish_conflict(self, path: str) -> BaseException:
        """The error to raise after the store refused a conditional publish of `path`: another writer
        changed the object after this write started, so the lock was not exclusive."""
        ...


_guards: contextvars.ContextVar[tuple[PublishGuard, ...]] = contextvars.ContextVar(
    "kart_publish_guards", default=()
)


@contextlib.contextmanager
def publish_guard(guard: PublishGuard | None) -> Iterator[None]:
    """Every write published in this block (this thread or task) asks `guard` first; None adds nothing.

    Blocks nest: all guards of the enclosing blocks are asked."""
    if guard is None:
        yield
        return
    if not isinstance(guard, PublishGuard):
        raise TypeError(
            f"publish_guard needs an object with check_publish(path) and publish_conflict(path), "
            f"not {type(guard).__name__}"
        )
    token = _guards.set((*_guards.get(), guard))
    try:
        yield
    finally:
        _guards.reset(token)


def guarded() -> bool:
    """Whether a write made now runs under at least one guard (backends then publish conditionally)."""
    return bool(_guards.get())


def check_before_publish(path: str) -> None:
    """Ask every active guard; the first that refuses raises. Backends call this last before publishing."""
    for guard in _guards.get():
        guard.check_publish(path)


def publish_conflict(path: str, cause: BaseException) -> BaseException:
    """The error for a conditional publish the store refused: a guard that now knows its lock is lost
    raises its own; otherwise the innermost guard names the conflict. Without a guard, `cause`."""
    guards = _guards.get()
    if not guards:
        return cause
    check_before_publish(path)
    return guards[-1].publish_conflict(path)
