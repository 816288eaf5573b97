"""Whether the installed luigi is one the seam was tested on, and which relied-upon names it lacks.

`specialised()` is asked by every specialisation before it departs from plain luigi: on a luigi outside
`TESTED_RANGE`, or one that lacks a name of `RELIED_UPON`, it answers False (after one warning) and kart
runs on luigi's own scheduler, worker and parameter resolution.
"""

from __future__ import annotations

import importlib
import re
import warnings
from functools import cache
from types import CodeType

import luigi

#: the luigi versions the tests ran on: lowest included, highest excluded (as in kart-task's pyproject)
TESTED_RANGE: tuple[tuple[int, int], tuple[int, int]] = ((3, 6), (3, 9))

#: every luigi private name kart relies on, as (the luigi object holding it, the attribute's name);
#: instance attributes are named on the class whose `__init__` sets them
RELIED_UPON: tuple[tuple[str, str], ...] = (
    # the in-process scheduler (scheduler.py)
    ("luigi.scheduler.Scheduler", "_state"),
    ("luigi.scheduler.Scheduler", "_config"),
    ("luigi.scheduler.Scheduler", "_paused"),
    ("luigi.scheduler.Scheduler", "_update_worker"),
    ("luigi.scheduler.Scheduler", "_rank"),
    ("luigi.scheduler.Scheduler", "_reset_orphaned_batch_running_tasks"),
    ("luigi.scheduler.Scheduler", "_update_task_history"),
    ("luigi.scheduler.Scheduler", "_prune_workers"),
    ("luigi.scheduler.SimpleTaskState", "_tasks"),
    ("luigi.scheduler.SimpleTaskState", "_status_tasks"),
    ("luigi.scheduler.SimpleTaskState", "_task_batchers"),
    ("luigi.scheduler.SimpleTaskState", "_active_workers"),
    # the worker and its task process (worker.py)
    ("luigi.worker.Worker", "_config"),
    ("luigi.worker.Worker", "_id"),
    ("luigi.worker.Worker", "_scheduler"),
    ("luigi.worker.Worker", "_task_result_queue"),
    ("luigi.worker.Worker", "_task_completion_cache"),
    ("luigi.worker.Worker", "_add_task_history"),
    ("luigi.worker.Worker", "_add"),
    ("luigi.worker.Worker", "_log_dependency_error"),
    ("luigi.worker.Worker", "_log_complete_error"),
    ("luigi.worker.Worker", "_check_complete_value"),
    ("luigi.worker.Worker", "_create_task_process"),
    ("luigi.worker.TaskProcess", "_run_get_new_deps"),
    ("luigi.worker.TaskProcess", "_handle_run_exception"),
    # parameter values (param_values.py) and parameter classes (parameters.py)
    ("luigi.parameter", "_no_value"),
    ("luigi.parameter.Parameter", "_default"),
    ("luigi.parameter.Parameter", "_config_path"),
    ("luigi.parameter.Parameter", "_get_value"),
    ("luigi.parameter.Parameter", "_value_iterator"),
    ("luigi.parameter.Parameter", "_get_value_from_config"),
    ("luigi.parameter.Parameter", "_parser_kwargs"),
    ("luigi.parameter.Parameter", "_warn_on_wrong_param_type"),
    ("luigi.task.Task", "_unconsumed_params"),
    # the rest (internals.py)
    ("luigi.task_register.Register", "_reg"),
    ("luigi.task.Task", "_event_callbacks"),
    ("luigi.task", "_task_wraps"),
    ("luigi.task.Task", "_namespace_at_class_time"),  # what a wrapper class copies when _task_wraps is gone
    ("luigi.execution_summary", "_partition_tasks"),
    ("luigi.execution_summary", "_summary_dict"),
    ("luigi.execution_summary", "_root_task"),
)

#: private names imported for type hints only (under TYPE_CHECKING): nothing at run time depends on them
TYPING_ONLY: tuple[tuple[str, str], ...] = (
    ("luigi.parameter", "_NoValueType"),
    ("luigi.parameter", "_ParameterKwargs"),
)

#: (object, attribute) pairs that exist only on instances: found among the names the class's methods use
_INSTANCE_ONLY = {
    ("luigi.scheduler.Scheduler", "_state"),
    ("luigi.scheduler.Scheduler", "_config"),
    ("luigi.scheduler.Scheduler", "_paused"),
    ("luigi.scheduler.SimpleTaskState", "_tasks"),
    ("luigi.scheduler.SimpleTaskState", "_status_tasks"),
    ("luigi.scheduler.SimpleTaskState", "_task_batchers"),
    ("luigi.scheduler.SimpleTaskState", "_active_workers"),
    ("luigi.worker.Worker", "_config"),
    ("luigi.worker.Worker", "_id"),
    ("luigi.worker.Worker", "_scheduler"),
    ("luigi.worker.Worker", "_task_result_queue"),
    ("luigi.worker.Worker", "_task_completion_cache"),
    ("luigi.worker.Worker", "_add_task_history"),
    ("luigi.parameter.Parameter", "_default"),
    ("luigi.parameter.Parameter", "_config_path"),
    ("luigi.task.Task", "_unconsumed_params"),  # set on the class by luigi's get_param_values
}


def installed_version() -> tuple[int, ...] | None:
    """The installed luigi's (major, minor, patch), or None when its version text is not numeric."""
    match = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", str(getattr(luigi, "__version__", "")))
    if match is None:
        return None
    return tuple(int(part) for part in match.groups(default="0"))


def version_tested(version: tuple[int, ...] | None = None) -> bool:
    """Whether `version` (default: the installed luigi's) lies in `TESTED_RANGE`."""
    version = installed_version() if version is None else version
    lowest, beyond = TESTED_RANGE
    return version is not None and lowest <= version[:2] < beyond


def _resolve(path: str) -> object | None:
    """The luigi object named by a dotted path (module, then attributes), or None."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            found = getattr(found, name, None)
            if found is None:
                return None
        return found
    return None


def _code_names(code: CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _code_names(const)
    return names


def _used_by_methods(owner: object, name: str) -> bool:
    """Whether a method of class `owner` (or of a luigi base) names attribute `name` (as `self.<name>`
    or `cls.<name>` does): how instance attributes, set in `__init__` or later, are found."""
    if not isinstance(owner, type):
        return False
    for klass in owner.__mro__:
        if not klass.__module__.startswith("luigi"):
            continue
        for member in vars(klass).values():
            function = getattr(member, "__func__", member)
            if isinstance(function, property):
                function = function.fget
            code = getattr(function, "__code__", None)
            if isinstance(code, CodeType) and name in _code_names(code):
                return True
    return False


def missing_names() -> list[tuple[str, str]]:
    """The entries of `RELIED_UPON` the installed luigi lacks (class and module attributes are looked
    up; instance attributes are looked for among the names the class's methods use)."""
    missing: list[tuple[str, str]] = []
    for owner_path, name in RELIED_UPON:
        owner = _resolve(owner_path)
        if owner is None:
            missing.append((owner_path, name))
        elif (owner_path, name) in _INSTANCE_ONLY:
            if not (hasattr(owner, name) or _used_by_methods(owner, name)):
                missing.append((owner_path, name))
        elif not hasattr(owner, name):
            missing.append((owner_path, name))
    return missing


def unsupported_reason() -> str | None:
    """Why the specialisations stay off with this luigi, or None when they can be used."""
    version = getattr(luigi, "__version__", "?")
    if not version_tested():
        lowest, beyond = TESTED_RANGE
        return (
            f"luigi {version} is outside the range kart-task is tested on "
            f"(>={lowest[0]}.{lowest[1]},<{beyond[0]}.{beyond[1]})"
        )
    missing = missing_names()
    if missing:
        names = ", ".join(f"{owner}.{name}" for owner, name in missing)
        return f"luigi {version} lacks names kart-task relies on: {names}"
    return None


class LuigiVersionWarning(UserWarning):
    """kart-task falls back to plain luigi (its scheduler, worker and parameter resolution)."""


@cache
def specialised() -> bool:
    """Whether kart's luigi specialisations are on; warns once (per `reset()`) when they are not."""
    reason = unsupported_reason()
    if reason is None:
        return True
    warnings.warn(
        f"{reason}; kart-task falls back to plain luigi (luigi's own scheduler, worker and parameter "
        "resolution: slower builds, and run() failures of forked task processes are not reported).",
        LuigiVersionWarning,
        stacklevel=2,
    )
    return False


def reset() -> None:
    """Forget the answer of `specialised()` (after luigi was swapped, or in tests that simulate it)."""
    specialised.cache_clear()
