"""The writers' lock of one local target: an exclusive `flock` on `<path>.kart-lock`, held only for the
few steps that publish a sealed file (sidecar, rename, sidecar), so two unlocked writers of the same
target take turns there instead of interleaving their seals.

The lock file is removed by its holder before it lets go, so none is left next to an output. A waiter
that then gets the lock of the removed file notices (the path no longer names the file it locked) and
tries again; so does anyone whose lock file was deleted by someone else. The kernel drops the lock of a
killed process, so a crash never leaves a target locked.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock, as before
    _HAS_FLOCK = False
else:
    _HAS_FLOCK = True

LOCK_SUFFIX = ".kart-lock"


def _same_file(handle: int, path: str) -> bool:
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(handle)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


@contextlib.contextmanager
def writers_lock(path: str) -> Iterator[None]:
    """Exclusive among the writers of `path` (threads and processes, on this host and on file systems
    whose flock is shared, such as NFSv4), until the block ends."""
    if not _HAS_FLOCK:  # pragma: no cover
        yield
        return
    lock_path = path + LOCK_SUFFIX
    while True:
        handle = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except BaseException:
            os.close(handle)
            raise
        if _same_file(handle, lock_path):
            break
        os.close(handle)  # its holder removed it as we waited: lock the current one
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(lock_path)
        os.close(handle)
