"""`kart_task.reset()`: forget the per-process caches of kart-task and of the kart packages below it."""

from __future__ import annotations

import kart_lock
import kart_storage

from . import _build_memo, _logs, _luigi_targets, _prefetch_answers, _task_ids, _typing
from ._luigi import param_values


def reset() -> None:
    """Forget every per-process cache kart-task keeps, as in a fresh process; kart-storage's and
    kart-lock's `reset()` are called too (built file systems and clients, pooled Redis clients).

    Cleared: the parameter list kept per task class, the DataFrame library read per class, the text of
    module versions with its scan of installed distributions, which parameter types look values up
    plainly, and the file system of a patched `luigi.LocalTarget`. Kept: what defines behaviour rather
    than speeds it up (registered classes and event handlers, configuration, recorded write times of
    files still on disk). luigi's own caches (task instances, the class register) are luigi's: clear them
    with `luigi.task_register.Register.clear_instance_cache()`.

    For tests and long-lived processes that change classes, install packages or switch environments.
    The caches notice the common changes without it (a parameter added to a class, a module loaded).
    """
    _task_ids.reset()
    _typing.forget_dataframe_types()
    _logs.forget_module_versions()
    param_values._looks_up_plainly.clear()
    _luigi_targets.forget_filesystem()
    _prefetch_answers.forget()
    _build_memo.forget()
    kart_storage.reset()
    kart_lock.reset()
