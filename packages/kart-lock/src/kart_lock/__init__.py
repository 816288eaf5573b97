"""Redis locks with one shared heartbeat thread, and gokart-compatible lock-wrapped dump/load/remove/run.

Standalone use::

    with kart_lock.RedisLock("nightly-report", url="redis://127.0.0.1:6379/0", ttl=30):
        ...

The gokart-compatible layer (`TaskLockParams`, `make_task_lock_params`, the `wrap_*_with_lock`
functions) keeps upstream's bare key strings, so kart and upstream gokart workers exclude each other.
"""

from kart_lock._clients import clear_clients
from kart_lock._errors import (
    KartLockError,
    LockConfigurationError,
    LockLostError,
    LockNotAcquiredError,
    LockTimeoutSettingError,
    LockUnavailableError,
)
from kart_lock._heartbeat import THREAD_NAME as HEARTBEAT_THREAD_NAME
from kart_lock._lock import RedisLock
from kart_lock._publish import PublishScope, set_publish_scope
from kart_lock._reset import reset
from kart_lock._task_lock import (
    RedisClient,
    TaskLike,
    TaskLockException,
    TaskLockParams,
    make_redis_lock,
    make_task_lock_key,
    make_task_lock_params,
    make_task_lock_params_for_run,
    set_lock_scheduler,
    set_task_lock,
    task_lock_factory,
)
from kart_lock._wrappers import (
    wrap_dump_with_lock,
    wrap_load_with_lock,
    wrap_remove_with_lock,
    wrap_run_with_lock,
)

__version__ = "0.1.0"

__all__ = [
    "HEARTBEAT_THREAD_NAME",
    "KartLockError",
    "LockConfigurationError",
    "LockLostError",
    "LockNotAcquiredError",
    "LockTimeoutSettingError",
    "LockUnavailableError",
    "PublishScope",
    "RedisClient",
    "RedisLock",
    "TaskLike",
    "TaskLockException",
    "TaskLockParams",
    "__version__",
    "clear_clients",
    "make_redis_lock",
    "make_task_lock_key",
    "make_task_lock_params",
    "make_task_lock_params_for_run",
    "reset",
    "set_lock_scheduler",
    "set_publish_scope",
    "set_task_lock",
    "task_lock_factory",
    "wrap_dump_with_lock",
    "wrap_load_with_lock",
    "wrap_remove_with_lock",
    "wrap_run_with_lock",
]
