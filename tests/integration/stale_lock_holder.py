"""A lock holder that stops itself (SIGSTOP) in the middle of a dump, for test_stale_lock_holder.py.

    python stale_lock_holder.py <redis host> <redis port> <target path> <how> <where>

`how`: `task` dumps through gokart's lock parameters (kart-task's installed lock wrappers, TTL 2 s);
`gokart` the same through the drop-in `gokart.target.make_target` (gokart's patchable wrappers);
`unguarded` as `task` with no publish scope installed (the behaviour before issue #17, a control);
`standalone` holds a `kart_lock.RedisLock` (TTL 2 s) around `kart_storage.publish_guard(lock)` and a
dump of a target without lock parameters (the way to guard an overwrite of an existing object).

`where` the holder stops: `before-check` while its pickle is being written (so the lock is lost before
the publish check runs), `after-check` just after the check passed (the window only a conditional
publish on the store can close).

The test waits for the stop, lets the lock expire, writes its own output under the lock, then sends
SIGCONT. Exit status: 0 when the stale dump was published, 3 on LockLostError (its message on stdout),
4 on any other error.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from contextlib import AbstractContextManager
from typing import Any

import kart_lock
import kart_storage
import kart_task  # noqa: F401 - installs the lock wrappers (and the publish scope) gokart tasks use


def _stop_here() -> None:
    os.kill(os.getpid(), signal.SIGSTOP)


class PausedWhilePickled:
    """Pickles to b"stale", stopping the process on the way (so the dump is under way)."""

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        _stop_here()
        return (bytes, (b"stale",))


class PauseAfterCheck:
    """A publish guard that asks the real lock, then stops (the first time) before the store publishes."""

    def __init__(self, lock: kart_lock.RedisLock) -> None:
        self.lock = lock
        self.stopped = False

    def check_publish(self, path: str) -> None:
        self.lock.check_publish(path)
        if not self.stopped:
            self.stopped = True
            _stop_here()

    def publish_conflict(self, path: str) -> BaseException:
        return self.lock.publish_conflict(path)


def _pausing_scope(lock: kart_lock.RedisLock) -> AbstractContextManager[object]:
    return kart_storage.publish_guard(PauseAfterCheck(lock))


def main(host: str, port: int, path: str, how: str, where: str) -> int:
    payload: object = PausedWhilePickled() if where == "before-check" else b"stale"
    if where == "after-check":
        kart_lock.set_publish_scope(_pausing_scope)
    if how == "unguarded":
        kart_lock.set_publish_scope(None)
    try:
        if how in ("task", "gokart", "unguarded"):
            params = kart_lock.make_task_lock_params(
                path, None, redis_host=host, redis_port=port, redis_timeout=2, lock_extend_seconds=1
            )
            if how == "gokart":
                import gokart.target

                gokart.target.make_target(path, task_lock_params=params).dump(payload)
            else:
                kart_storage.make_target(path, lock_params=params).dump(payload)
        else:
            target = kart_storage.make_target(path)
            lock = kart_lock.RedisLock("stale-holder", host=host, port=port, ttl=2, extend_interval=1)
            guard = PauseAfterCheck(lock) if where == "after-check" else lock
            with lock, kart_storage.publish_guard(guard):
                target.dump(payload)
    except kart_lock.LockLostError as exc:
        print(f"LockLostError: {exc}", flush=True)
        return 3
    except Exception:
        traceback.print_exc()
        return 4
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]))
