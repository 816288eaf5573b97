"""The worker's queue of task results, without a thread hand-off for tasks run in the worker's process.

luigi's worker collects every task's result through one `multiprocessing.Queue`, also when the task ran
in the worker's own process (`workers=1`): each `put` wakes the queue's feeder thread, which writes to a
pipe the worker then polls. That is two thread switches per task, about a millisecond each on a busy
machine, more than running a small task costs. Results put by the owning process stay in a local deque;
results from forked task processes still travel through the multiprocessing queue.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from collections import deque
from typing import Any


class ResultQueue:
    """A `multiprocessing.Queue` stand-in (put/get/close) that keeps same-process items local."""

    def __init__(self, inner: multiprocessing.Queue[Any]) -> None:
        self._inner = inner
        self._local: deque[Any] = deque()
        self._owner = os.getpid()

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if os.getpid() == self._owner:
            self._local.append(item)
        else:
            self._inner.put(item, block, timeout)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        if self._local:
            # a forked task's result already in the pipe was sent earlier: luigi's single queue gives it first
            try:
                return self._inner.get(block=False)
            except queue.Empty:
                return self._local.popleft()
        return self._inner.get(block, timeout)

    def get_nowait(self) -> Any:
        return self.get(block=False)

    def empty(self) -> bool:
        return not self._local and self._inner.empty()

    def close(self) -> None:
        self._inner.close()

    def join_thread(self) -> None:
        self._inner.join_thread()

    def cancel_join_thread(self) -> None:
        self._inner.cancel_join_thread()
