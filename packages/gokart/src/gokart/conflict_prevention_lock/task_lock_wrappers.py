"""gokart.conflict_prevention_lock.task_lock_wrappers: lock-wrapped callables, defined in kart-lock."""

from kart_lock import wrap_dump_with_lock, wrap_load_with_lock, wrap_remove_with_lock, wrap_run_with_lock

__all__ = ["wrap_dump_with_lock", "wrap_load_with_lock", "wrap_remove_with_lock", "wrap_run_with_lock"]
