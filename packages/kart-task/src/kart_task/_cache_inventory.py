"""What a workspace holds: every file attributed to the task that wrote it, from one listing.

A cached output is named `<workspace>/<module path>/<Class>_<unique id>.<ext>` and its supplementary logs
`<workspace>/log/<kind>/<Class>_<unique id>.<ext>`, so the unique id in a file's name groups an output
with its logs; the seal, writers' lock and write temporaries beside an output follow it
(`kart_storage._companions`). Sizes and times come from the listing itself (`kart_storage._listing`):
one LIST request per 1,000 files on S3 and GCS, never one request per file. Only the parameters cost a
read each (of the task-parameters log), and only when asked for.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import kart_storage
from kart_storage._companions import companion_owner
from kart_storage._listing import StoredObject, directory_prefix, list_objects
from kart_storage._uploads import UnfinishedUpload, list_unfinished_uploads

from ._logs import TASK_PARAMS

logger = logging.getLogger("kart_task.cache")

#: parameters logs read at once from an object store (each read is one GET: latency, not CPU)
_PARAM_READERS = 16

#: `<stem>_<32 hex digits>`: the name of a file written under a task's unique id (before the suffix)
_WITH_UNIQUE_ID = re.compile(r"^(?P<stem>.+)_(?P<uid>[0-9a-f]{32})$")


@dataclass
class CachedTask:
    """The files one task (one unique id) left in the workspace."""

    unique_id: str
    task_family: str
    outputs: list[StoredObject] = field(default_factory=list)
    logs: list[StoredObject] = field(default_factory=list)
    companions: list[StoredObject] = field(default_factory=list)
    #: the significant parameters from the task-parameters log; None when not read or not there
    params: dict[str, str] | None = None

    @property
    def files(self) -> list[StoredObject]:
        """Outputs first (the task then counts as missing), then the logs, then the companions (seals,
        locks, temporaries) of both, which never go before the bytes they belong to: the order a
        collection removes them in."""
        return [*self.outputs, *self.logs, *self.companions]

    @property
    def size(self) -> int:
        """Bytes of all its files, as listed."""
        return sum(found.size for found in self.files)

    @property
    def written(self) -> datetime:
        """When the task last wrote an output (a task whose outputs are gone: its newest log)."""
        return max(found.modified for found in (self.outputs or self.files))


@dataclass(frozen=True)
class FamilyTotals:
    """What one task family holds in a workspace: tasks, files (outputs, logs, companions), bytes."""

    task_family: str
    tasks: int
    files: int
    size: int


@dataclass
class CacheInventory:
    """Every file under `workspace`: attributed to a task, or stray (written by no task kart knows)."""

    workspace: str
    tasks: list[CachedTask]
    stray: list[StoredObject]
    #: multipart uploads a killed writer never completed (S3 only): invisible, but stored and billed
    unfinished_uploads: list[UnfinishedUpload] = field(default_factory=list)

    def totals(self) -> dict[str, FamilyTotals]:
        """Per task family: tasks, files and bytes, sorted by family name."""
        grouped: dict[str, list[CachedTask]] = defaultdict(list)
        for task in self.tasks:
            grouped[task.task_family].append(task)
        return {
            family: FamilyTotals(
                family, len(tasks), sum(len(t.files) for t in tasks), sum(t.size for t in tasks)
            )
            for family, tasks in sorted(grouped.items())
        }

    @property
    def size(self) -> int:
        """Bytes of every file under the workspace, tasks' and stray."""
        return sum(task.size for task in self.tasks) + sum(found.size for found in self.stray)


def named_unique_id(path: str) -> tuple[str, str] | None:
    """(`stem`, `unique id`) of a file named `<stem>_<unique id>[.<ext>]`; None for any other name."""
    base = os.path.splitext(posixpath.basename(path.replace("\\", "/")))[0]
    match = _WITH_UNIQUE_ID.match(base)
    return (match["stem"], match["uid"]) if match else None


def _relative(path: str, prefix: str) -> str:
    return path[len(prefix) :].replace("\\", "/")


def cache_inventory(
    workspace: str,
    *,
    read_params: bool = True,
    on_object: Callable[[StoredObject], None] | None = None,
    on_task: Callable[[CachedTask], None] | None = None,
) -> CacheInventory:
    """Attribute every file under `workspace` (a local path, `s3://`, `gs://` or `memory://`).

    `read_params` loads each task's parameters log (one read per task, 16 at a time); without it the
    inventory costs the listing alone (on S3 plus one request per 1,000 unfinished uploads).
    `on_object` is called per listed file and `on_task` per task whose parameters were read."""
    listed = list_objects(workspace, on_object=on_object)
    prefix = directory_prefix(workspace)  # how every listed path starts
    tasks: dict[str, CachedTask] = {}
    owners: dict[str, str] = {}  # output or log path -> unique id
    stray: list[StoredObject] = []
    companions: list[StoredObject] = []

    def task_for(uid: str, family: str) -> CachedTask:
        return tasks.setdefault(uid, CachedTask(uid, family))

    for found in listed:
        relative = _relative(found.path, prefix)
        named = named_unique_id(found.path)
        if companion_owner(found.path) is not None:
            companions.append(found)
        elif named is None:
            stray.append(found)
        elif relative.startswith("log/"):
            task = task_for(named[1], named[0])
            task.task_family = named[0]  # a log is named after the class itself
            task.logs.append(found)
            owners[found.path] = named[1]
        else:
            task_for(named[1], named[0]).outputs.append(found)
            owners[found.path] = named[1]
    for found in companions:
        uid = owners.get(companion_owner(found.path) or "")
        if uid is None:
            stray.append(found)  # its output is gone (or never was a task's)
        else:
            tasks[uid].companions.append(found)
    result = CacheInventory(
        workspace,
        sorted(tasks.values(), key=_task_order),
        sorted(stray, key=_path),
        list_unfinished_uploads(workspace),
    )
    if read_params:
        _read_all_params(result.tasks, on_task)
    return result


def _read_all_params(tasks: list[CachedTask], on_task: Callable[[CachedTask], None] | None) -> None:
    def read(task: CachedTask) -> CachedTask:
        task.params = _read_params(task)
        return task

    with ThreadPoolExecutor(max_workers=_PARAM_READERS, thread_name_prefix="kart-cache-params") as pool:
        for task in pool.map(read, tasks):
            if on_task is not None:
                on_task(task)


def _task_order(task: CachedTask) -> tuple[str, str]:
    return task.task_family, task.unique_id


def _path(found: StoredObject) -> str:
    return found.path


def _read_params(task: CachedTask) -> dict[str, str] | None:
    """The task-parameters log, when there is one and it loads (a foreign or unsigned one may not)."""
    for log in task.logs:
        if _relative_kind(log.path) == TASK_PARAMS:
            try:
                loaded: Any = kart_storage.make_target(log.path).load()
            except Exception as error:  # a diagnostic log that does not load leaves the params unknown
                logger.warning("cannot read the parameters log %s: %s", log.path, error)
                return None
            return {str(k): str(v) for k, v in dict(loaded).items()} if isinstance(loaded, dict) else None
    return None


def _relative_kind(path: str) -> str:
    """`log/task_params` for `<workspace>/log/task_params/<name>`."""
    parent = posixpath.dirname(path.replace("\\", "/"))
    return f"{posixpath.basename(posixpath.dirname(parent))}/{posixpath.basename(parent)}"


__all__ = ["CacheInventory", "CachedTask", "FamilyTotals", "cache_inventory", "named_unique_id"]
