"""The gokart-compatible layer: upstream key strings, factories, client registry, the four wrappers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import redis.lock

import kart_lock
from _servers import Server
from _waiting import holds_throughout
from kart_lock import TaskLockParams, make_task_lock_key, make_task_lock_params, make_task_lock_params_for_run

# ---- pure parts (no server) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "uid", "key"),
    [
        ("gs://test_ll/dir/fname.pkl", "12345", "fname_12345"),
        ("x/data.csv", "U", "data_U"),
        ("ws/__main__/MyTask.pkl", "U", "MyTask_U"),
        ("ws/log/task_log/MyTask.pkl", "U", "MyTask_U"),
        ("ws/log/module_versions/MyTask.txt", "U", "MyTask_U"),
        ("ws/archive.tar.gz", "U", "archive.tar_U"),
        ("ws/noext", "U", "noext_U"),
        ("x/data.csv", None, "data_None"),
    ],
)
def test_key_format_is_upstreams(path: str, uid: str | None, key: str) -> None:
    assert make_task_lock_key(path, uid) == key


def test_params_fields_and_order() -> None:
    params = make_task_lock_params("x/data.csv", "U", redis_host="h", redis_port=1, redis_timeout=180)
    assert params == TaskLockParams(
        redis_host="h",
        redis_port=1,
        redis_timeout=180,
        redis_key="data_U",
        should_task_lock=True,
        raise_task_lock_exception_on_collision=False,
        lock_extend_seconds=10,
    )
    assert tuple(params) == ("h", 1, 180, "data_U", True, False, 10)
    assert TaskLockParams._fields[:2] == ("redis_host", "redis_port")


@pytest.mark.parametrize(
    ("host", "port", "expected"), [(None, None, False), ("h", None, False), ("h", 1, True)]
)
def test_locking_needs_host_and_port(host: str | None, port: int | None, expected: bool) -> None:
    assert make_task_lock_params("a.pkl", "U", redis_host=host, redis_port=port).should_task_lock is expected


@pytest.mark.parametrize("timeout", [5, 10])
def test_timeout_must_exceed_extend_seconds_even_when_locking_is_off(timeout: int) -> None:
    message = f"`redis_timeout` must be set greater than lock_extend_seconds:10, not {timeout}."
    with pytest.raises(AssertionError) as info:
        make_task_lock_params("a.pkl", "U", redis_timeout=timeout)
    assert str(info.value) == message


class _SampleDummyTask:
    redis_host: str | None = "127.0.0.1"
    redis_port: int | None = 6379
    redis_timeout: int | None = 180

    def make_unique_id(self) -> str:
        return "7e857f231830ca0fd6cf829d99f43961"


def test_run_params_from_a_duck_typed_task() -> None:
    params = make_task_lock_params_for_run(_SampleDummyTask())
    assert params.redis_key == "_SampleDummyTask_7e857f231830ca0fd6cf829d99f43961-run"
    assert params.raise_task_lock_exception_on_collision is True
    assert params.should_task_lock is True
    assert params[:3] == ("127.0.0.1", 6379, 180)
    assert params.lock_extend_seconds == 10


def test_redis_client_is_a_singleton_per_arguments() -> None:
    try:
        one = kart_lock.RedisClient(host="127.0.0.1", port=1)
        assert kart_lock.RedisClient(host="127.0.0.1", port=1) is one
        assert one.get_redis_client() is kart_lock.RedisClient(host="127.0.0.1", port=1).get_redis_client()
        assert kart_lock.RedisClient(host=None, port=None) is not kart_lock.RedisClient(
            host="localhost", port=6379
        )
        kart_lock.RedisClient.reset()
        assert kart_lock.RedisClient(host="127.0.0.1", port=1) is not one
    finally:
        kart_lock.RedisClient.reset()


def test_redis_client_builds_through_the_module_attribute(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[dict[str, Any]] = []

    class Recorder:
        def __init__(self, **kwargs: Any) -> None:
            made.append(kwargs)

    kart_lock.RedisClient.reset()
    monkeypatch.setattr(redis, "Redis", Recorder)
    try:
        client = kart_lock.RedisClient(host=None, port=None).get_redis_client()
    finally:
        kart_lock.RedisClient.reset()
    assert isinstance(client, Recorder)
    assert made[0]["host"] == "localhost"
    assert made[0]["port"] == 6379
    assert made[0]["socket_timeout"] <= 5


def test_wrappers_are_identity_when_locking_is_off() -> None:
    params = make_task_lock_params("a.pkl", "U")

    def func() -> int:
        return 1

    assert kart_lock.wrap_dump_with_lock(func, params, lambda: False) is func
    assert kart_lock.wrap_load_with_lock(func, params) is func
    assert kart_lock.wrap_remove_with_lock(func, params) is func
    assert kart_lock.task_lock_factory(params) is None


# ---- against the real server --------------------------------------------------------------------


@pytest.fixture
def params(redis_srv: Server, rconn: redis.Redis) -> Iterator[TaskLockParams]:
    yield make_task_lock_params(
        "ws/out/data.pkl", "U", redis_host=redis_srv.host, redis_port=redis_srv.port, redis_timeout=180
    )
    kart_lock.RedisClient.reset()


def _hold_elsewhere(rconn: redis.Redis, key: str) -> redis.lock.Lock:
    """Take the key the way an upstream gokart worker does (redis-py's Lock)."""
    lock = redis.lock.Lock(rconn, key, timeout=30, thread_local=False)
    assert lock.acquire(blocking=False)
    return lock


def test_dump_runs_func_with_its_arguments_under_the_lock(params: TaskLockParams, rconn: redis.Redis) -> None:
    seen: list[Any] = []

    def dump(obj: int, *, flag: bool) -> str:
        value = rconn.get(params.redis_key)
        seen.append((obj, flag, value is not None and len(value) == 32, rconn.pttl(params.redis_key)))
        return "done"

    assert kart_lock.wrap_dump_with_lock(dump, params, lambda: False)(7, flag=True) == "done"
    assert seen[0][:3] == (7, True, True)
    assert 170_000 < seen[0][3] <= 180_000
    assert rconn.exists(params.redis_key) == 0


def test_dump_is_skipped_when_the_output_appeared_while_waiting(
    params: TaskLockParams, rconn: redis.Redis
) -> None:
    other = _hold_elsewhere(rconn, params.redis_key)
    exists = threading.Event()
    calls: list[int] = []

    def other_worker_finishes() -> None:
        exists.set()  # the other worker wrote the output...
        other.release()  # ...then released its lock

    timer = threading.Timer(0.3, other_worker_finishes)
    timer.start()
    result = kart_lock.wrap_dump_with_lock(lambda: calls.append(1), params, exists.is_set)()
    timer.join()  # its client call may still be reading the reply
    assert result is None
    assert calls == []
    assert rconn.exists(params.redis_key) == 0


def test_dump_releases_after_an_error(params: TaskLockParams, rconn: redis.Redis) -> None:
    def failing() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        kart_lock.wrap_dump_with_lock(failing, params, lambda: False)()
    assert rconn.exists(params.redis_key) == 0


def test_dump_reports_a_lock_lost_during_the_write(params: TaskLockParams, rconn: redis.Redis) -> None:
    def write_while_someone_steals_the_key() -> str:
        rconn.set(params.redis_key, b"another-worker")
        return "written"

    with pytest.raises(kart_lock.LockLostError):
        kart_lock.wrap_dump_with_lock(write_while_someone_steals_the_key, params, lambda: False)()
    assert rconn.get(params.redis_key) == b"another-worker"


def test_collision_raises_task_lock_exception(params: TaskLockParams, rconn: redis.Redis) -> None:
    raising = params._replace(raise_task_lock_exception_on_collision=True)
    _hold_elsewhere(rconn, params.redis_key)
    with pytest.raises(kart_lock.TaskLockException, match=r"^Lock already taken by other task\.$"):
        kart_lock.wrap_dump_with_lock(lambda: None, raising, lambda: False)()
    with pytest.raises(kart_lock.TaskLockException):
        kart_lock.wrap_remove_with_lock(lambda: None, raising)()


def test_load_waits_for_the_writer_then_reads_unlocked(params: TaskLockParams, rconn: redis.Redis) -> None:
    other = _hold_elsewhere(rconn, params.redis_key)
    timer = threading.Timer(0.3, other.release)
    timer.start()
    started = time.monotonic()

    def load() -> bool:
        return bool(rconn.exists(params.redis_key))

    assert kart_lock.wrap_load_with_lock(load, params)() is False  # the key was free while loading
    assert time.monotonic() - started >= 0.25  # and we did wait for the writer
    timer.join()


def test_remove_runs_under_the_lock_and_releases_after_errors(
    params: TaskLockParams, rconn: redis.Redis
) -> None:
    assert kart_lock.wrap_remove_with_lock(lambda: rconn.exists(params.redis_key), params)() == 1
    assert rconn.exists(params.redis_key) == 0

    def failing() -> None:
        raise KeyError("gone")

    with pytest.raises(KeyError):
        kart_lock.wrap_remove_with_lock(failing, params)()
    assert rconn.exists(params.redis_key) == 0


def test_run_lock_is_non_blocking_and_keeps_the_function_identity(
    redis_srv: Server, rconn: redis.Redis
) -> None:
    task = _SampleDummyTask()
    task.redis_host, task.redis_port = redis_srv.host, redis_srv.port
    params = make_task_lock_params_for_run(task)

    def run() -> str:
        """Runs the task."""
        return "ran" if rconn.exists("_SampleDummyTask_7e857f231830ca0fd6cf829d99f43961-run") else "unlocked"

    wrapped = kart_lock.wrap_run_with_lock(run, params)
    assert wrapped.__wrapped__ is run  # type: ignore[attr-defined]
    assert wrapped.__name__ == "run"
    assert wrapped() == "ran"
    other = _hold_elsewhere(rconn, params.redis_key)
    with pytest.raises(kart_lock.TaskLockException):
        wrapped()
    other.release()
    kart_lock.RedisClient.reset()


def test_lock_is_extended_during_a_long_function(redis_srv: Server, rconn: redis.Redis) -> None:
    params = make_task_lock_params(
        "a.pkl",
        "U",
        redis_host=redis_srv.host,
        redis_port=redis_srv.port,
        redis_timeout=2,
        lock_extend_seconds=1,
    )

    def slow() -> int:
        # Longer than the 2 s TTL: the key stays only because the heartbeat extends it.
        holds_throughout(
            lambda: rconn.pttl(params.redis_key) > 0, 2.7, "the lock key while the function runs"
        )
        return int(rconn.pttl(params.redis_key))

    remaining = kart_lock.wrap_dump_with_lock(slow, params, lambda: False)()
    assert remaining is not None
    assert remaining > 0
    assert rconn.exists(params.redis_key) == 0
    kart_lock.RedisClient.reset()


def test_upstream_holder_blocks_our_dump_until_it_releases(
    params: TaskLockParams, rconn: redis.Redis
) -> None:
    other = _hold_elsewhere(rconn, params.redis_key)
    order: list[str] = []

    def upstream_finishes() -> None:
        order.append("upstream released")
        other.release()

    timer = threading.Timer(0.3, upstream_finishes)
    timer.start()
    kart_lock.wrap_dump_with_lock(lambda: order.append("kart dumped"), params, lambda: False)()
    timer.join()
    assert order == ["upstream released", "kart dumped"]


def test_factory_for_storage_targets(params: TaskLockParams, rconn: redis.Redis) -> None:
    factory = kart_lock.task_lock_factory(params)
    assert factory is not None
    with factory() as lock:
        assert rconn.get(params.redis_key) == lock.token
    assert rconn.exists(params.redis_key) == 0
    raising = kart_lock.task_lock_factory(params._replace(raise_task_lock_exception_on_collision=True))
    assert raising is not None
    _hold_elsewhere(rconn, params.redis_key)
    with pytest.raises(kart_lock.TaskLockException), raising():
        pass


def test_short_task_timeout_is_renewed_often_enough(redis_srv: Server, rconn: redis.Redis) -> None:
    """Run-lock params skip the timeout check; such a lock must still survive its own TTL."""
    # A 2 s timeout under the 10 s extend interval: renewed every 2/3 s (1.3 s of slack on a loaded machine).
    params = TaskLockParams(redis_srv.host, redis_srv.port, 2, "short_U-run", True, True, 10)
    lock = kart_lock.set_task_lock(params)
    holds_throughout(lambda: rconn.get("short_U-run") == lock.token, 3.0, "the key held past its timeout")
    assert rconn.get("short_U-run") == lock.token
    lock.release()
    kart_lock.RedisClient.reset()


def test_upstream_call_sequence_with_set_lock_scheduler(params: TaskLockParams, rconn: redis.Redis) -> None:
    lock = kart_lock.set_task_lock(params)
    renewal = kart_lock.set_lock_scheduler(lock, params)
    assert rconn.get(params.redis_key) == lock.token
    lock.release()
    renewal.shutdown()
    assert rconn.exists(params.redis_key) == 0
