"""Collecting a workspace's garbage: plan what goes (a dry run), then remove it task by task.

A unit is a task's whole set of files (outputs, companions, logs) or one stray file, so no half-task is
ever left. Whatever the given roots need stays. Of the rest, what is older than an age goes, then (least
recently written first) what brings the workspace under a size; with roots alone, all of it. Nothing
written at or after the collection's start goes (a build may be writing it), checked again just before
removal.
"""

from __future__ import annotations

import contextlib
import logging
import os
import posixpath
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import kart_lock
import kart_storage
from kart_storage._listing import StoredObject, directory_prefix
from kart_storage._uploads import UnfinishedUpload, abort_unfinished_upload

from ._cache_inventory import CachedTask, CacheInventory, cache_inventory
from ._cache_reachability import NeededOutputs, needed_by
from ._errors import OptionError
from ._expiry import describe

logger = logging.getLogger("kart_task.cache")

#: units collected at a time on an object store
_REMOVERS = 16
_REMOTE = (kart_storage.S3FileSystem, kart_storage.GCSFileSystem)


@dataclass(frozen=True)
class Removal:
    """One unit that goes: a task's files (outputs first) or a stray file, and why."""

    files: list[StoredObject]
    reason: str
    task: CachedTask | None = None

    @property
    def size(self) -> int:
        """Bytes of the unit's files, as listed."""
        return sum(found.size for found in self.files)


@dataclass
class CollectionPlan:
    """What a collection would remove (the dry run's answer), made at `started_at`."""

    workspace: str
    started_at: datetime
    removals: list[Removal]
    #: units left alone because something in them was written at or after `started_at`
    too_new: list[list[StoredObject]] = field(default_factory=list)
    #: unfinished multipart uploads begun long enough before the start to be a dead writer's (S3)
    abandoned_uploads: list[UnfinishedUpload] = field(default_factory=list)

    @property
    def paths(self) -> list[str]:
        """Every path that goes, unit by unit, in removal order."""
        return [found.path for removal in self.removals for found in removal.files]

    @property
    def size(self) -> int:
        """Bytes of the objects that go (unfinished uploads' parts are not listed with sizes)."""
        return sum(removal.size for removal in self.removals)


@dataclass
class CollectionResult:
    """What a collection removed, and what it left because it changed or was being written."""

    removed: list[str] = field(default_factory=list)
    #: paths left because they changed after the plan was made (or were gone already)
    skipped: list[str] = field(default_factory=list)
    size: int = 0
    #: unfinished uploads aborted
    aborted_uploads: list[UnfinishedUpload] = field(default_factory=list)
    #: paths left whole because a writer held their task's Redis dump lock
    locked: list[str] = field(default_factory=list)


def plan_collection(
    workspace: str,
    *,
    roots: Iterable[Any] = (),
    older_than: timedelta | None = None,
    max_size: int | None = None,
    started_at: datetime | None = None,
    listed: CacheInventory | None = None,
    uploads_abandoned_after: timedelta = timedelta(days=1),
) -> CollectionPlan:
    """What a collection of `workspace` would remove (nothing is removed here: this is the dry run).

    `roots`: tasks whose graphs are kept whatever the other criteria say; alone, everything else goes.
    `older_than`: units last written longer ago go. `max_size`: then the least recently written units go
    until the workspace fits in that many bytes. With roots and an age or a size, only units the roots do
    not need are chosen by the age or the size.
    `started_at` (default: now) is the collection's start; `listed` an inventory already made.
    Unfinished multipart uploads (S3) begun `uploads_abandoned_after` or longer before the start are
    aborted with any criterion: no live writer takes that long to finish one."""
    roots = list(roots)
    if not roots and older_than is None and max_size is None:
        raise OptionError("a collection needs roots to keep, an age (older_than) or a size (max_size)")
    start = (started_at or datetime.now(UTC)).astimezone(UTC)
    cutoff = _second_floor(start)
    found = listed if listed is not None else cache_inventory(workspace, read_params=False)
    needed = needed_by(roots) if roots else NeededOutputs()
    plan = CollectionPlan(workspace, start, [])
    plan.abandoned_uploads = [
        upload for upload in found.unfinished_uploads if upload.initiated <= start - uploads_abandoned_after
    ]
    candidates: list[Removal] = []
    kept_size = 0
    for unit in _units(found):
        if _is_needed(unit, needed):
            kept_size += unit.size
        elif any(part.modified >= cutoff for part in unit.files):
            plan.too_new.append(unit.files)
            kept_size += unit.size
        else:
            candidates.append(unit)
    unneeded = "not needed by the roots; " if roots else ""
    rest: list[Removal] = []
    for unit in candidates:
        if older_than is not None and _written(unit) < start - older_than:
            plan.removals.append(
                Removal(unit.files, f"{unneeded}older than {describe(older_than)}", unit.task)
            )
        elif older_than is None and max_size is None:  # roots alone: everything they do not need
            plan.removals.append(Removal(unit.files, "not needed by the roots", unit.task))
        else:
            rest.append(unit)
    if max_size is not None:
        size = kept_size + sum(unit.size for unit in rest)
        for unit in sorted(rest, key=_written):  # least recently written first
            if size <= max_size:
                break
            plan.removals.append(Removal(unit.files, f"{unneeded}workspace over {max_size} bytes", unit.task))
            size -= unit.size
    return plan


def _units(found: CacheInventory) -> list[Removal]:
    units = [Removal(task.files, "", task) for task in found.tasks]
    return units + [Removal([stray], "") for stray in found.stray]


def _is_needed(unit: Removal, needed: NeededOutputs) -> bool:
    if unit.task is not None and unit.task.unique_id in needed.unique_ids:
        return True
    return any(needed.has_path(found.path) for found in unit.files)


def _written(unit: Removal) -> datetime:
    return unit.task.written if unit.task is not None else unit.files[0].modified


def _second_floor(moment: datetime) -> datetime:
    """S3 reports times in whole seconds: an object written just after the start may show the start's
    second, so everything written in that second counts as newer (and stays)."""
    return moment.replace(microsecond=0)


def apply_collection(
    plan: CollectionPlan,
    *,
    redis_host: str | None = None,
    redis_port: int | None = None,
    on_unit: Callable[[Removal], None] | None = None,
) -> CollectionResult:
    """Remove what `plan` lists, unit by unit, outputs before their companions and logs (so a task
    counts as missing before its seal or logs go). A unit with a file changed since the plan (written
    at or after the collection's start) is left whole; nothing outside the workspace is ever touched.

    With `redis_host` and `redis_port` (the tasks' own settings), a task's unit is removed only while
    holding each output's dump lock, the lock a task with those settings takes to write it: a unit
    whose lock a writer holds is left whole (`locked`). `on_unit` is called after each unit."""
    result = CollectionResult()
    prefix = directory_prefix(plan.workspace)
    outside = [
        found.path
        for removal in plan.removals
        for found in removal.files
        if not found.path.startswith(prefix)
    ]
    if outside:
        raise OptionError(f"refusing to remove {outside[0]!r}: outside the workspace {plan.workspace!r}")
    cutoff = _second_floor(plan.started_at)

    def collect(removal: Removal) -> CollectionResult:
        unit = CollectionResult()
        with _dump_locks(removal, redis_host, redis_port) as held:
            if not held:
                unit.locked.extend(found.path for found in removal.files)
            elif _changed_since(removal.files, cutoff):
                unit.skipped.extend(found.path for found in removal.files)
            else:
                _remove_unit(removal, unit)
        return unit

    outcomes = _each_unit(plan, collect, on_unit)
    for outcome in outcomes:  # in plan order, whatever order the units finished in
        result.removed += outcome.removed
        result.skipped += outcome.skipped
        result.locked += outcome.locked
        result.size += outcome.size
    _abort_uploads(plan, result, redis_host, redis_port)
    logger.info("removed %d files (%d bytes) from %s", len(result.removed), result.size, plan.workspace)
    return result


def _each_unit(
    plan: CollectionPlan,
    collect: Callable[[Removal], CollectionResult],
    on_unit: Callable[[Removal], None] | None,
) -> list[CollectionResult]:
    """`collect` of every unit, in plan order. On S3 and GCS each unit costs a request per file, twice
    (its time, then its removal), so units are collected `_REMOVERS` at a time; a unit's own files stay
    in order. Local and in-memory units go one after another (a thread would only add overhead). The
    first failure stops the units not yet started and is raised."""
    if not isinstance(kart_storage.filesystem_for(plan.workspace), _REMOTE) or len(plan.removals) < 2:
        outcomes = []
        for removal in plan.removals:
            outcomes.append(collect(removal))
            if on_unit is not None:
                on_unit(removal)
        return outcomes
    workers = min(_REMOVERS, len(plan.removals))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kart-cache-gc") as pool:
        futures = {pool.submit(collect, removal): removal for removal in plan.removals}
        try:
            for done in as_completed(futures):
                done.result()
                if on_unit is not None:
                    on_unit(futures[done])
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        return [future.result() for future in futures]


def _abort_uploads(
    plan: CollectionPlan, result: CollectionResult, host: str | None, port: int | None
) -> None:
    for upload in plan.abandoned_uploads:
        with _locks_of([upload.path], host, port) as held:
            if held:
                abort_unfinished_upload(upload)
                result.aborted_uploads.append(upload)
            else:
                result.locked.append(upload.path)


def _remove_unit(removal: Removal, result: CollectionResult) -> None:
    for found in removal.files:
        try:
            kart_storage.filesystem_for(found.path).remove(found.path)
        except kart_storage.TargetNotFoundError:
            result.skipped.append(found.path)  # gone meanwhile: the goal is reached
            continue
        result.removed.append(found.path)
        result.size += found.size


def dump_lock_key(output_path: str) -> str:
    """The key a task's dump of `output_path` locks: gokart's `<name before the id>_<unique id>`, which
    for a file named `<Class>_<unique id>.<ext>` is its name without the suffix."""
    return os.path.splitext(posixpath.basename(output_path.replace("\\", "/")))[0]


@contextlib.contextmanager
def _dump_locks(removal: Removal, host: str | None, port: int | None) -> Iterator[bool]:
    """Hold the dump locks of the unit's outputs (none for a stray file); False when a writer holds one."""
    outputs = [] if removal.task is None else [found.path for found in removal.task.outputs]
    with _locks_of(outputs, host, port) as held:
        yield held


@contextlib.contextmanager
def _locks_of(paths: list[str], host: str | None, port: int | None) -> Iterator[bool]:
    """Hold the dump locks of `paths` (none without Redis); False, holding none, when a writer holds one.
    The locks expire on their own if this process dies (the tasks' 180 s default)."""
    if host is None or port is None:
        yield True
        return
    with contextlib.ExitStack() as stack:
        for path in paths:
            lock = kart_lock.RedisLock(dump_lock_key(path), host=host, port=port)
            if not lock.acquire(blocking=False):
                stack.close()
                yield False
                return
            stack.callback(lock.release)
        yield True


def _changed_since(files: list[StoredObject], cutoff: datetime) -> bool:
    """Whether a file of the unit (output, log, companion, stray file) was rewritten at or after
    `cutoff`: one time request per file, as many as its removal costs."""
    for found in files:
        try:
            if kart_storage.filesystem_for(found.path).last_modified(found.path) >= cutoff:
                return True
        except kart_storage.TargetNotFoundError:
            continue
    return False


__all__ = [
    "CollectionPlan",
    "CollectionResult",
    "Removal",
    "apply_collection",
    "dump_lock_key",
    "plan_collection",
]
