"""Many processes against one real redis-server: mutual exclusion, and recovery from a killed holder."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from multiprocessing.synchronize import Event as EventType

import redis

import kart_lock
from _servers import Server
from _waiting import holds_throughout, wait_until

PROCESSES = 25
ROUNDS = 12  # per process: 300 rounds in total


def _contend(url: str, rounds: int) -> None:
    counters = redis.Redis.from_url(url)
    lock = kart_lock.RedisLock("contended", url=url, ttl=10, extend_interval=1, sleep=0.005)
    for _ in range(rounds):
        with lock:
            if counters.incr("inside") != 1:
                counters.incr("overlaps")
            time.sleep(0.001)
            counters.decr("inside")
            counters.incr("rounds")


def test_exactly_one_of_many_processes_is_inside(redis_srv: Server, rconn: redis.Redis) -> None:
    url = f"redis://{redis_srv.address}/0"
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_contend, args=(url, ROUNDS)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * PROCESSES
    assert int(rconn.get("rounds") or 0) == PROCESSES * ROUNDS
    assert int(rconn.get("overlaps") or 0) == 0
    assert rconn.exists("contended") == 0


def test_the_overlap_counter_would_see_unlocked_overlaps(redis_srv: Server, rconn: redis.Redis) -> None:
    """Control for the test above: the same bookkeeping without the lock does record overlaps."""
    url = f"redis://{redis_srv.address}/0"

    def unlocked(rounds: int) -> None:
        counters = redis.Redis.from_url(url)
        for _ in range(rounds):
            if counters.incr("inside") != 1:
                counters.incr("overlaps")
            time.sleep(0.005)
            counters.decr("inside")

    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=unlocked, args=(20,)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert int(rconn.get("overlaps") or 0) > 0


def _hold_forever(url: str) -> None:
    lock = kart_lock.RedisLock("held", url=url, ttl=2, extend_interval=0.5)
    lock.acquire()
    redis.Redis.from_url(url).set("holder-ready", b"1")
    while True:
        time.sleep(1)


def test_killed_holder_frees_the_lock_within_ttl(redis_srv: Server, rconn: redis.Redis) -> None:
    url = f"redis://{redis_srv.address}/0"
    ctx = multiprocessing.get_context("fork")
    holder = ctx.Process(target=_hold_forever, args=(url,))
    holder.start()
    try:
        wait_until(lambda: rconn.exists("holder-ready"), 20, "the holder process to take the lock")
        # For longer than the 2 s TTL: only the holder's heartbeat can keep the key that long.
        holds_throughout(lambda: rconn.exists("held") == 1, 2.5, "the held key outliving its TTL")
        waiter = kart_lock.RedisLock("held", url=url, ttl=2, extend_interval=0.5, sleep=0.02)
        assert waiter.acquire(blocking=False) is False
    finally:
        assert holder.pid is not None
        os.kill(holder.pid, signal.SIGKILL)
        holder.join(timeout=10)
    # Nothing renews the key any more: it lives one TTL at the most (-2: already gone), then is free.
    remaining = rconn.pttl("held")
    assert remaining == -2 or 0 <= remaining <= 2000
    assert waiter.acquire(timeout=20) is True
    waiter.release()


def _hold_then_get_paused(url: str, queue: multiprocessing.Queue[str], resumed: EventType) -> None:
    lock = kart_lock.RedisLock("paused", url=url, ttl=1, extend_interval=0.25)
    lock.acquire()
    queue.put("held")
    resumed.wait(timeout=120)  # SIGSTOPped past the TTL in here; the test sets `resumed` after SIGCONT
    lost = lock.lost
    try:
        lock.release()
        queue.put(f"lost={lost} release=ok")
    except kart_lock.LockLostError:
        queue.put(f"lost={lost} release=LockLostError")


def test_holder_paused_past_its_ttl_learns_it_lost_the_lock(redis_srv: Server, rconn: redis.Redis) -> None:
    url = f"redis://{redis_srv.address}/0"
    ctx = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[str] = ctx.Queue()
    resumed = ctx.Event()
    holder = ctx.Process(target=_hold_then_get_paused, args=(url, queue, resumed))
    holder.start()
    assert queue.get(timeout=20) == "held"
    assert holder.pid is not None
    os.kill(holder.pid, signal.SIGSTOP)
    try:
        # A stopped heartbeat renews nothing: the key lives one TTL at the most (-2: already gone).
        remaining = rconn.pttl("paused")
        assert remaining == -2 or 0 <= remaining <= 1000
        thief = kart_lock.RedisLock("paused", url=url, ttl=30, sleep=0.02)
        assert thief.acquire(timeout=20) is True  # the key expired while the holder was stopped
    finally:
        os.kill(holder.pid, signal.SIGCONT)
        resumed.set()
    assert queue.get(timeout=20) == "lost=True release=LockLostError"
    holder.join(timeout=10)
    assert rconn.get("paused") == thief.token  # the paused holder did not delete the new owner's key
    thief.release()
