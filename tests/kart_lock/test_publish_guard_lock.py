"""RedisLock as a publish guard (kart-storage's protocol, duck-typed) and the publish scope of
`wrap_dump_with_lock`, against a real redis-server. No kart-storage here: the scope is a fake.

The end-to-end test (a SIGSTOPped holder, real stores) is tests/integration/test_stale_lock_holder.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
import redis

import kart_lock
from _servers import Server
from _waiting import wait_until


@pytest.fixture(autouse=True)
def _no_publish_scope() -> Iterator[None]:
    kart_lock.set_publish_scope(None)
    yield
    kart_lock.set_publish_scope(None)


def test_a_held_lock_lets_the_publish_through(redis_url: str, rconn: redis.Redis) -> None:
    with kart_lock.RedisLock("guard", url=redis_url, ttl=5, extend_interval=1) as lock:
        lock.check_publish("/data/out.pkl")  # no error


def test_a_lost_lock_refuses_naming_key_and_path(redis_url: str, rconn: redis.Redis) -> None:
    lock = kart_lock.RedisLock("guard", url=redis_url, ttl=5, extend_interval=0.1)
    lock.acquire()
    rconn.set("guard", b"someone-else")  # taken over: the next renewal notices
    wait_until(lambda: lock.lost, 10, "the heartbeat to notice the lost lock")
    with pytest.raises(kart_lock.LockLostError, match=r"'guard'.*/data/out\.pkl"):
        lock.check_publish("/data/out.pkl")
    with pytest.raises(kart_lock.LockLostError):
        lock.release()
    assert rconn.get("guard") == b"someone-else"  # the new holder's key is untouched


def test_a_lock_past_its_ttl_refuses_before_any_renewal_fails(redis_url: str, rconn: redis.Redis) -> None:
    """The paused-process case: no renewal has run, but a whole TTL passed since the last one."""
    lock = kart_lock.RedisLock("guard", url=redis_url, ttl=5, extend_interval=1)
    lock.acquire()
    lock._valid_until = 0.0  # what a pause past the TTL looks like to the lock (monotonic clock)
    with pytest.raises(kart_lock.LockLostError, match=r"out\.pkl"):
        lock.check_publish("out.pkl")
    with pytest.raises(kart_lock.LockLostError):
        lock.release()


def test_a_lock_that_is_not_held_refuses(redis_url: str) -> None:
    lock = kart_lock.RedisLock("guard", url=redis_url)
    with pytest.raises(kart_lock.LockLostError, match="not held"):
        lock.check_publish("out.pkl")


def test_a_refused_conditional_publish_counts_as_a_lost_lock(redis_url: str, rconn: redis.Redis) -> None:
    lock = kart_lock.RedisLock("guard", url=redis_url, ttl=5, extend_interval=1)
    lock.acquire()
    error = lock.publish_conflict("s3://bucket/out.pkl")
    assert isinstance(error, kart_lock.LockLostError)
    assert "'guard'" in str(error)
    assert "s3://bucket/out.pkl" in str(error)
    assert lock.lost
    with pytest.raises(kart_lock.LockLostError):
        lock.release()


class _Scopes:
    """A fake publish scope that records the lock each dump ran under and whether it was held."""

    def __init__(self) -> None:
        self.entered: list[tuple[str, bool]] = []
        self.inside = False

    @contextlib.contextmanager
    def __call__(self, lock: kart_lock.RedisLock) -> Iterator[None]:
        self.entered.append((lock.key, lock.held))
        self.inside = True
        try:
            yield
        finally:
            self.inside = False


def _params(redis_srv: Server) -> kart_lock.TaskLockParams:
    return kart_lock.make_task_lock_params(
        "out.pkl", "U", redis_host=redis_srv.host, redis_port=redis_srv.port, redis_timeout=30
    )


def test_wrapped_dumps_run_inside_the_installed_scope(redis_srv: Server, rconn: redis.Redis) -> None:
    scopes = _Scopes()
    kart_lock.set_publish_scope(scopes)
    seen: list[bool] = []
    dump = kart_lock.wrap_dump_with_lock(
        lambda: seen.append(scopes.inside), _params(redis_srv), lambda: False
    )
    dump()
    assert seen == [True]
    assert scopes.entered == [("out_U", True)]


def test_a_skipped_dump_enters_no_scope(redis_srv: Server, rconn: redis.Redis) -> None:
    scopes = _Scopes()
    kart_lock.set_publish_scope(scopes)
    dump = kart_lock.wrap_dump_with_lock(
        lambda: pytest.fail("must not dump"), _params(redis_srv), lambda: True
    )
    assert dump() is None
    assert scopes.entered == []


def test_without_a_scope_the_dump_runs_as_before(redis_srv: Server, rconn: redis.Redis) -> None:
    dump = kart_lock.wrap_dump_with_lock(lambda: "done", _params(redis_srv), lambda: False)
    assert dump() == "done"


def test_a_refusal_inside_the_scope_releases_the_lock_and_keeps_its_error(
    redis_srv: Server, rconn: redis.Redis
) -> None:
    def refuse() -> None:
        raise kart_lock.LockLostError("refused out.pkl")

    kart_lock.set_publish_scope(_Scopes())
    dump = kart_lock.wrap_dump_with_lock(refuse, _params(redis_srv), lambda: False)
    with pytest.raises(kart_lock.LockLostError, match=r"refused out\.pkl"):
        dump()
    assert rconn.exists("out_U") == 0


def test_reset_keeps_the_installed_scope(redis_srv: Server, rconn: redis.Redis) -> None:
    scopes = _Scopes()
    kart_lock.set_publish_scope(scopes)
    kart_lock.reset()
    kart_lock.wrap_dump_with_lock(lambda: None, _params(redis_srv), lambda: False)()
    assert len(scopes.entered) == 1
