"""gokart.conflict_prevention_lock.task_lock: lock parameters and keys, defined in kart-lock."""

import redis

from kart_lock import (
    RedisClient,
    TaskLockException,
    TaskLockParams,
    make_task_lock_key,
    make_task_lock_params,
    make_task_lock_params_for_run,
    set_lock_scheduler,
    set_task_lock,
)

__all__ = [
    "RedisClient",
    "TaskLockException",
    "TaskLockParams",
    "make_task_lock_key",
    "make_task_lock_params",
    "make_task_lock_params_for_run",
    "redis",
    "set_lock_scheduler",
    "set_task_lock",
]
