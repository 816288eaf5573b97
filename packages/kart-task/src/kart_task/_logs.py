"""Supplementary log files every TaskOnKart writes next to its outputs, and random-seed fixing.

Registered on TaskOnKart, not on luigi.Task (upstream's handlers fired, and failed, for plain luigi
tasks). All START work happens in one handler: the seed is set first and the three START logs are
written after it, as gokart does (see on_start).
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import logging
import sys
import time
from collections.abc import Callable
from typing import Any, ClassVar, Protocol

import luigi

import kart_storage

from ._flatten import flatten

failure_logger = logging.getLogger("gokart.task")


class LoggedTask(Protocol):
    """What these handlers use of a TaskOnKart (`_task` imports this module, so not the class itself)."""

    FIX_RANDOM_SEED_VALUE_NONE_MAGIC_NUMBER: ClassVar[int]
    task_log: dict[str, Any]
    _kart_run_skipped: bool
    _kart_started_at: float

    @property
    def fix_random_seed_value(self) -> Any: ...
    @property
    def fix_random_seed_methods(self) -> Any: ...
    @property
    def should_dump_supplementary_log_files(self) -> Any: ...

    def make_target(self, relative_file_path: str | None = ...) -> Any: ...
    def make_unique_id(self) -> str: ...
    def to_str_params(self, only_significant: bool = ...) -> dict[str, str]: ...
    def output(self) -> Any: ...
    def dump(self, obj: Any, target: Any = ...) -> None: ...


TASK_PARAMS = "log/task_params"
RANDOM_SEED = "log/random_seed"
MODULE_VERSIONS = "log/module_versions"
PROCESSING_TIME = "log/processing_time"
TASK_LOG = "log/task_log"


def log_target(task: LoggedTask, folder: str, extension: str = ".pkl") -> Any:
    return task.make_target(f"{folder}/{type(task).__name__}{extension}")


@functools.cache
def _distributions_by_module() -> dict[str, tuple[str, ...]]:
    """Scanning installed distributions costs tens of milliseconds: once per process, not per task."""
    return {module: tuple(dists) for module, dists in importlib.metadata.packages_distributions().items()}


@functools.cache
def _pinned(dist: str) -> str | None:
    """Reading a version parses the distribution's metadata file: once per distribution and process."""
    try:
        return f"{dist}=={importlib.metadata.version(dist)}"
    except importlib.metadata.PackageNotFoundError:
        return None


_last_versions: list[tuple[tuple[int, str], str]] = []  # one entry: (state of sys.modules, its text)


def module_versions_text() -> str:
    """`dist==version` for every distribution whose modules are loaded (upstream always wrote '').

    A build asks once per task, and walking sys.modules each time cost more than writing the file; the
    text is kept per (count of loaded modules, newest of them), which changes whenever a module loads."""
    key = (len(sys.modules), next(reversed(sys.modules), ""))
    if not _last_versions or _last_versions[0][0] != key:
        _last_versions[:] = [(key, _module_versions_now())]
    return _last_versions[0][1]


def forget_module_versions() -> None:
    """Forget the distribution scan, the versions read and the last text (kart_task.reset()): packages
    installed or upgraded since are then seen."""
    _distributions_by_module.cache_clear()
    _pinned.cache_clear()
    _last_versions.clear()


def _module_versions_now() -> str:
    by_module = _distributions_by_module()
    found = set()
    for name in list(sys.modules):
        if "." in name or name.startswith("_"):
            continue
        for dist in by_module.get(name, ()):
            pinned = _pinned(dist)
            if pinned is not None:
                found.add(pinned)
    return "\n".join(sorted(found))


def random_seed(task: LoggedTask) -> int:
    value = task.fix_random_seed_value
    if value and value != task.FIX_RANDOM_SEED_VALUE_NONE_MAGIC_NUMBER:
        return int(value)
    return int(task.make_unique_id(), 16) % (2**32 - 1)


def try_set_seed(methods: list[str] | tuple[str, ...], seed: int) -> list[str]:
    """Call each dotted callable with `seed`; names whose module or attribute is missing are skipped."""
    done = []
    for method in methods:
        head, *rest = method.split(".")
        try:
            target: Any = importlib.import_module(head)
            for attribute in rest:
                target = getattr(target, attribute)
        except (ModuleNotFoundError, AttributeError):
            continue
        target(seed)
        done.append(method)
    return done


def on_start(task: LoggedTask) -> None:
    task._kart_started_at = time.perf_counter()
    if not task.should_dump_supplementary_log_files:
        return
    # Seeded first, as gokart does: each of the three log writes below then takes its one draw from
    # `random` (a local write names its temporary file with one, like luigi's LocalTarget), so run()
    # draws the same numbers as on gokart for the same seed.
    seed = random_seed(task)
    methods = try_set_seed(list(task.fix_random_seed_methods), seed)
    with kart_storage.without_fsync():  # logs are diagnostics: atomic, but not worth an fsync each
        task.dump(task.to_str_params(only_significant=True), log_target(task, TASK_PARAMS))
        task.dump({"seed": seed, "seed_methods": methods}, log_target(task, RANDOM_SEED))
        task.dump(module_versions_text(), log_target(task, MODULE_VERSIONS, ".txt"))


def on_success(task: LoggedTask) -> None:
    task.task_log["file_path"] = [target.path() for target in flatten(task.output())]
    if not task.should_dump_supplementary_log_files or task._kart_run_skipped:
        return  # a skipped run keeps the logs of the run that produced the outputs
    with kart_storage.without_fsync():
        task.dump(task.task_log, log_target(task, TASK_LOG))


def on_processing_time(task: LoggedTask, seconds: float) -> None:
    if task.should_dump_supplementary_log_files and not task._kart_run_skipped:
        with kart_storage.without_fsync():
            task.dump(float(seconds), log_target(task, PROCESSING_TIME))


def on_failure(task: LoggedTask, exception: BaseException) -> None:
    failure_logger.info(
        f"FAILURE:\n    task name={type(task).__name__}\n    unique id={task.make_unique_id()}"
    )


def register(task_class: type[luigi.Task]) -> None:
    handlers: dict[Any, Callable[..., None]] = {
        luigi.Event.START: on_start,
        luigi.Event.SUCCESS: on_success,
        luigi.Event.PROCESSING_TIME: on_processing_time,
        luigi.Event.FAILURE: on_failure,
    }
    for event, handler in handlers.items():
        task_class.event_handler(event)(handler)
