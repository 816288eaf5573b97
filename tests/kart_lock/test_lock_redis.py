"""RedisLock against a real redis-server: ownership, expiry, heartbeat, loss, namespaces, connections."""

from __future__ import annotations

import logging
import multiprocessing
import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import redis
import redis.lock

import kart_lock
from _servers import Server, redis_server, running
from _waiting import holds_throughout, wait_until
from kart_lock._heartbeat import heartbeat


def _heartbeat_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == kart_lock.HEARTBEAT_THREAD_NAME]


def test_acquire_stores_a_redis_py_token_with_the_ttl(redis_url: str, rconn: redis.Redis) -> None:
    lock = kart_lock.RedisLock("job", url=redis_url, ttl=30)
    assert lock.acquire() is True
    value = rconn.get("job")
    assert isinstance(value, bytes)
    assert re.fullmatch(rb"[0-9a-f]{32}", value)
    assert value == lock.token
    assert 29_000 < rconn.pttl("job") <= 30_000
    lock.release()
    assert rconn.exists("job") == 0
    assert not lock.lost
    assert not lock.held


def test_second_holder_is_excluded_until_release(redis_url: str, rconn: redis.Redis) -> None:
    first = kart_lock.RedisLock("job", url=redis_url, ttl=30)
    second = kart_lock.RedisLock("job", url=redis_url, ttl=30, sleep=0.01)
    assert first.acquire()
    assert second.acquire(blocking=False) is False
    assert second.acquire(timeout=0.2) is False
    threading.Timer(0.3, first.release).start()
    assert second.acquire(timeout=5) is True
    second.release()


def test_context_manager_and_blocking_timeout(redis_url: str, rconn: redis.Redis) -> None:
    with kart_lock.RedisLock("job", url=redis_url, ttl=30) as held:
        assert rconn.get("job") == held.token
        waiter = kart_lock.RedisLock("job", url=redis_url, ttl=30, blocking_timeout=0.2)
        with pytest.raises(kart_lock.LockNotAcquiredError, match="'job'"), waiter:
            pass
    assert rconn.exists("job") == 0


def test_body_error_is_not_masked_by_a_lost_lock(redis_url: str, rconn: redis.Redis) -> None:
    def body() -> None:
        with kart_lock.RedisLock("job", url=redis_url, ttl=30):
            rconn.delete("job")
            _ = 1 / 0

    with pytest.raises(ZeroDivisionError):
        body()


def test_release_twice_is_an_error(redis_url: str) -> None:
    lock = kart_lock.RedisLock("job", url=redis_url, ttl=30)
    lock.acquire()
    lock.release()
    with pytest.raises(kart_lock.KartLockError, match="not held"):
        lock.release()


def test_namespace_prefixes_the_key(redis_url: str, rconn: redis.Redis) -> None:
    with kart_lock.RedisLock("job", url=redis_url, namespace="billing"):
        assert rconn.exists("billing:job") == 1
        assert rconn.exists("job") == 0
        # An unrelated app using the bare name is not blocked.
        with kart_lock.RedisLock("job", url=redis_url):
            assert rconn.exists("job") == 1


def test_no_ttl_means_no_expiry_and_no_heartbeat_entry(redis_url: str, rconn: redis.Redis) -> None:
    with kart_lock.RedisLock("forever", url=redis_url, ttl=None):
        assert rconn.ttl("forever") == -1
        assert len(heartbeat()) == 0


@pytest.mark.parametrize(("ttl", "interval"), [(10, 10), (5, 10), (1, 1.5)])
def test_ttl_not_greater_than_extend_interval_is_rejected(ttl: float, interval: float) -> None:
    with pytest.raises(ValueError, match="ttl must be greater than extend_interval"):
        kart_lock.RedisLock("job", host="127.0.0.1", port=6379, ttl=ttl, extend_interval=interval)


def test_conflicting_connection_arguments_are_rejected(rconn: redis.Redis) -> None:
    with pytest.raises(ValueError, match="either client"):
        kart_lock.RedisLock("job", client=rconn, url="redis://127.0.0.1:1/0")
    with pytest.raises(ValueError, match="either url"):
        kart_lock.RedisLock("job", url="redis://127.0.0.1:1/0", port=1)


def test_existing_client_host_port_and_url_all_work(redis_srv: Server, rconn: redis.Redis) -> None:
    locks = [
        kart_lock.RedisLock("a", client=rconn),
        kart_lock.RedisLock("b", host=redis_srv.host, port=redis_srv.port),
        kart_lock.RedisLock("c", url=f"redis://{redis_srv.address}/0"),
    ]
    for lock in locks:
        lock.acquire()
    assert sorted(rconn.keys()) == [b"a", b"b", b"c"]
    for lock in locks:
        lock.release()


def test_clients_are_pooled_per_connection_settings(redis_srv: Server) -> None:
    one = kart_lock.RedisLock("a", host=redis_srv.host, port=redis_srv.port)
    two = kart_lock.RedisLock("b", host=redis_srv.host, port=redis_srv.port)
    other = kart_lock.RedisLock("c", host=redis_srv.host, port=redis_srv.port, db=3)
    assert one.client is two.client
    assert other.client is not one.client


def test_default_timeouts_are_bounded(redis_srv: Server) -> None:
    lock = kart_lock.RedisLock("a", host=redis_srv.host, port=redis_srv.port)
    kwargs = lock.client.connection_pool.connection_kwargs
    assert 0 < kwargs["socket_connect_timeout"] <= 5
    assert 0 < kwargs["socket_timeout"] <= 5


def test_url_with_password_and_db() -> None:
    server = redis_server()
    server.command += ["--requirepass", "s3cret"]
    with running(server):
        url = f"redis://:s3cret@{server.address}/2"
        with kart_lock.RedisLock("job", url=url, ttl=30) as lock:
            check = redis.Redis(host=server.host, port=server.port, password="s3cret", db=2)
            assert check.get("job") == lock.token
            assert redis.Redis(host=server.host, port=server.port, password="s3cret", db=0).exists("job") == 0
        wrong = kart_lock.RedisLock("job", url=f"redis://:wrong@{server.address}/2")
        with pytest.raises(kart_lock.LockUnavailableError, match=f"{server.address} rejected the"):
            wrong.acquire()


def test_heartbeat_keeps_the_lock_alive_beyond_its_ttl(redis_url: str, rconn: redis.Redis) -> None:
    # The TTL leaves the heartbeat 1.3 s of slack before the key could expire on a loaded machine.
    with kart_lock.RedisLock("job", url=redis_url, ttl=1.5, extend_interval=0.2) as lock:
        holds_throughout(lambda: rconn.get("job") == lock.token, 3.0, "the key held for two TTLs")
        assert rconn.get("job") == lock.token
        assert 0 < rconn.pttl("job") <= 1500
        assert not lock.lost


def test_fifty_locks_share_one_heartbeat_thread(redis_url: str, rconn: redis.Redis) -> None:
    locks = [kart_lock.RedisLock(f"k{i}", url=redis_url, ttl=1.5, extend_interval=0.2) for i in range(50)]
    for lock in locks:
        assert lock.acquire()
    # Two TTLs: every key lives only because it was extended.
    holds_throughout(lambda: rconn.exists(*[lock.key for lock in locks]) == 50, 3.0, "all 50 keys held")
    assert len(_heartbeat_threads()) == 1
    assert rconn.exists(*[lock.key for lock in locks]) == 50
    assert not any(lock.lost for lock in locks)
    for lock in locks:
        lock.release()
    assert rconn.dbsize() == 0
    assert len(_heartbeat_threads()) == 1


def test_lock_taken_over_is_reported_lost(
    redis_url: str, rconn: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    lock = kart_lock.RedisLock("job", url=redis_url, ttl=5, extend_interval=0.1)
    lock.acquire()
    with caplog.at_level(logging.WARNING, logger="kart_lock"):
        rconn.set("job", b"someone-else")
        wait_until(lambda: lock.lost, 30, "the heartbeat to notice the key was taken over")
    assert lock.lost
    assert any("'job'" in r.getMessage() and "lost" in r.getMessage() for r in caplog.records)
    with pytest.raises(kart_lock.LockLostError, match="not have been exclusive"):
        lock.release()
    assert rconn.get("job") == b"someone-else"  # we never delete another holder's key
    assert isinstance(kart_lock.LockLostError("x"), redis.exceptions.LockNotOwnedError)


def test_redis_restarted_while_held_reports_the_lock_lost(own_redis: Server) -> None:
    lock = kart_lock.RedisLock("job", host=own_redis.host, port=own_redis.port, ttl=30, extend_interval=0.2)
    lock.acquire()
    own_redis.restart()
    wait_until(lambda: lock.lost, 30, "the heartbeat to notice the restarted Redis lost the key")
    assert lock.lost
    with pytest.raises(kart_lock.LockLostError, match="'job'"):
        lock.release()


def test_redis_down_while_held_reports_the_lock_lost_after_its_ttl(
    own_redis: Server, caplog: pytest.LogCaptureFixture
) -> None:
    lock = kart_lock.RedisLock(
        "job", host=own_redis.host, port=own_redis.port, ttl=1, extend_interval=0.2, connect_timeout=0.2
    )
    lock.acquire()
    with caplog.at_level(logging.WARNING, logger="kart_lock"):
        own_redis.stop()
        wait_until(lambda: lock.lost, 30, "the lock to count as lost once its TTL passed")
        assert lock.lost
        wait_until(  # the heartbeat notices too, and says so
            lambda: any("presumed lost" in r.getMessage() for r in caplog.records),
            30,
            "a 'presumed lost' warning",
        )
    assert any("presumed lost" in r.getMessage() for r in caplog.records)
    with pytest.raises(kart_lock.LockLostError, match="'job'"):
        lock.release()


def test_rediss_url_makes_a_tls_client() -> None:
    lock = kart_lock.RedisLock("job", url="rediss://:pw@127.0.0.1:6390/4")
    pool = lock.client.connection_pool
    assert pool.connection_class is redis.connection.SSLConnection
    assert pool.connection_kwargs["db"] == 4
    assert pool.connection_kwargs["password"] == "pw"


def test_unreachable_redis_names_host_and_port() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    lock = kart_lock.RedisLock("job", host="127.0.0.1", port=port)
    with pytest.raises(kart_lock.LockUnavailableError, match=f"127.0.0.1:{port}") as info:
        lock.acquire()
    assert isinstance(info.value, redis.exceptions.ConnectionError)  # what upstream raised


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers (a hung server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def test_hung_redis_fails_within_the_configured_socket_timeout(silent_port: int) -> None:
    lock = kart_lock.RedisLock("job", host="127.0.0.1", port=silent_port, socket_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(kart_lock.LockUnavailableError, match=f"127.0.0.1:{silent_port}"):
        lock.acquire()
    assert time.monotonic() - started < 3  # 0.5 s configured; no retry loop multiplies it


def _child_after_fork(url: str, queue: multiprocessing.Queue[str], parent: kart_lock.RedisLock) -> None:
    try:
        try:
            parent.release()
            queue.put("child released the parent's lock")
            return
        except kart_lock.KartLockError as exc:
            if "only it can release it" not in str(exc):
                raise
        inherited = len(heartbeat())
        with kart_lock.RedisLock("child", url=url, ttl=1.5, extend_interval=0.1) as lock:
            check = redis.Redis.from_url(url)
            try:  # longer than the TTL: only the child's own heartbeat keeps the key
                holds_throughout(lambda: check.get("child") == lock.token, 2.0, "the child's key held")
                alive = True
            except AssertionError:
                alive = False
        queue.put(f"inherited={inherited} alive={alive}")
    except BaseException as exc:
        queue.put(repr(exc))


def test_forked_child_has_its_own_heartbeat(redis_url: str, rconn: redis.Redis) -> None:
    ctx = multiprocessing.get_context("fork")
    with kart_lock.RedisLock("parent", url=redis_url, ttl=1.5, extend_interval=0.1) as parent:
        queue: multiprocessing.Queue[str] = ctx.Queue()
        child = ctx.Process(target=_child_after_fork, args=(redis_url, queue, parent))
        child.start()
        report = queue.get(timeout=20)
        child.join(timeout=20)
        assert report == "inherited=0 alive=True"
        assert rconn.get("parent") == parent.token  # the parent kept renewing its own lock
        assert not parent.lost


def test_excludes_and_is_excluded_by_redis_py_lock(redis_url: str, rconn: redis.Redis) -> None:
    theirs = redis.lock.Lock(rconn, "shared", timeout=30, thread_local=False)
    assert theirs.acquire(blocking=False)
    assert kart_lock.RedisLock("shared", url=redis_url).acquire(blocking=False) is False
    theirs.release()
    with kart_lock.RedisLock("shared", url=redis_url):
        assert redis.lock.Lock(rconn, "shared", timeout=30).acquire(blocking=False) is False
