"""What `kart-task cache ls|du|gc` print: aligned tables for people, one JSON document for programs.

Tables show sizes as `1.2 MiB` and times as UTC `YYYY-MM-DD HH:MM:SS`; JSON gives sizes in bytes and
times in ISO-8601 UTC (`2026-12-03T05:33:29.123456+00:00`). The JSON keys are listed in `_cache_cli`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from kart_storage import StoredObject, UnfinishedUpload

from ._cache_collect import CollectionPlan, CollectionResult, Removal
from ._cache_inventory import CachedTask, CacheInventory

_UNITS = ("KiB", "MiB", "GiB", "TiB", "PiB")
STRAY = "(stray)"
UPLOAD = "(unfinished upload)"
_MIN_PARAMS_WIDTH = 16


def human_size(size: int) -> str:
    """`512 B`, `1.2 KiB`, `3.0 GiB`: powers of 1024, one decimal."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in _UNITS:
        value /= 1024
        if value < 1024 or unit == _UNITS[-1]:
            return f"{value:.1f} {unit}"
    return f"{size} B"  # not reached: the loop returns at the last unit


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def relative(path: str, workspace: str) -> str:
    """`path` without the workspace in front (tables name the workspace once)."""
    prefix = workspace.rstrip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else path


def params_text(params: dict[str, str] | None, width: int) -> str:
    """`k=v, k=v`, cut to `width` characters with `...`; `-` when the parameters are unknown."""
    if params is None:
        return "-"
    text = ", ".join(f"{key}={value}" for key, value in params.items())
    return text if len(text) <= width else text[: max(width - 3, 0)] + "..."


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> list[str]:
    """Columns aligned to their widest cell; the `numeric` columns right-aligned; no trailing spaces."""
    rows = [list(headers), *(list(row) for row in rows)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(headers))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if column in numeric else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def ls_lines(
    found: CacheInventory,
    tasks: Sequence[CachedTask],
    stray: Sequence[StoredObject],
    uploads: Sequence[UnfinishedUpload],
    width: int,
    *,
    params: bool,
) -> list[str]:
    """One row per task, then one per stray file and unfinished upload, then the total; the parameters
    fill what is left    of `width` (the terminal's columns)."""
    headers = ["FAMILY", "UNIQUE ID", "FILES", "SIZE", "WRITTEN"]
    rows = [
        [
            task.task_family,
            task.unique_id,
            str(len(task.files)),
            human_size(task.size),
            utc_text(task.written),
        ]
        for task in tasks
    ]
    rows += [
        [STRAY, relative(item.path, found.workspace), "1", human_size(item.size), utc_text(item.modified)]
        for item in stray
    ]
    if params:
        used = len(table(headers, rows, numeric=(2, 3))[0]) + 2
        room = max(width - used, _MIN_PARAMS_WIDTH)
        headers.append("PARAMS")
        for row, task in zip(rows, tasks, strict=False):
            row.append(params_text(task.params, room))
        for row in rows[len(tasks) :]:
            row.append("")
    rows += [
        [UPLOAD, relative(item.path, found.workspace), "-", "-", utc_text(item.initiated)]
        + ([""] if params else [])
        for item in uploads
    ]
    files = sum(len(task.files) for task in tasks) + len(stray)
    size = sum(task.size for task in tasks) + sum(item.size for item in stray)
    total = f"total: {len(tasks)} tasks, {len(stray)} stray files, {files} files, {human_size(size)}"
    if uploads:
        total += f"; {len(uploads)} unfinished uploads (begun, never completed)"
    return [*table(headers, rows, numeric=(2, 3)), total]


def _object(item: StoredObject) -> dict[str, Any]:
    return {"path": item.path, "size": item.size, "modified": iso(item.modified)}


def _upload(item: UnfinishedUpload) -> dict[str, Any]:
    return {"path": item.path, "upload_id": item.upload_id, "initiated": iso(item.initiated)}


def ls_document(
    found: CacheInventory,
    tasks: Sequence[CachedTask],
    stray: Sequence[StoredObject],
    uploads: Sequence[UnfinishedUpload],
) -> dict[str, Any]:
    return {
        "workspace": found.workspace,
        "tasks": [
            {
                "task_family": task.task_family,
                "unique_id": task.unique_id,
                "size": task.size,
                "written": iso(task.written),
                "params": task.params,
                "outputs": [_object(item) for item in task.outputs],
                "logs": [_object(item) for item in task.logs],
                "companions": [_object(item) for item in task.companions],
            }
            for task in tasks
        ],
        "stray": [_object(item) for item in stray],
        "unfinished_uploads": [_upload(item) for item in uploads],
        "files": sum(len(task.files) for task in tasks) + len(stray),
        "size": sum(task.size for task in tasks) + sum(item.size for item in stray),
    }


def du_document(found: CacheInventory) -> dict[str, Any]:
    totals = found.totals()
    return {
        "workspace": found.workspace,
        "families": [
            {"task_family": family, "tasks": each.tasks, "files": each.files, "size": each.size}
            for family, each in totals.items()
        ],
        "stray": {"files": len(found.stray), "size": sum(item.size for item in found.stray)},
        "unfinished_uploads": len(found.unfinished_uploads),
        "total": {
            "tasks": len(found.tasks),
            "files": sum(len(task.files) for task in found.tasks) + len(found.stray),
            "size": found.size,
        },
    }


def du_lines(found: CacheInventory) -> list[str]:
    document = du_document(found)
    rows = [
        [each["task_family"], str(each["tasks"]), str(each["files"]), human_size(each["size"])]
        for each in document["families"]
    ]
    rows.append([STRAY, "-", str(document["stray"]["files"]), human_size(document["stray"]["size"])])
    total = document["total"]
    if document["unfinished_uploads"]:
        rows.append([UPLOAD, "-", str(document["unfinished_uploads"]), "-"])
    rows.append(["total", str(total["tasks"]), str(total["files"]), human_size(total["size"])])
    return table(["FAMILY", "TASKS", "FILES", "SIZE"], rows, numeric=(1, 2, 3))


def unit_name(removal: Removal, workspace: str) -> str:
    """`Family/unique id` for a task's files, the path in the workspace for a stray file."""
    if removal.task is not None:
        return f"{removal.task.task_family}/{removal.task.unique_id}"
    return relative(removal.files[0].path, workspace)


def gc_lines(plan: CollectionPlan, result: CollectionResult | None) -> list[str]:
    """The units that go (or went), then what was left and the summary line."""
    rows = [
        [unit_name(unit, plan.workspace), unit.reason, str(len(unit.files)), human_size(unit.size)]
        for unit in plan.removals
    ]
    lines = table(["UNIT", "REASON", "FILES", "SIZE"], rows, numeric=(2, 3)) if rows else []
    lines += [
        f"{'abort' if result is None else 'aborted'} {UPLOAD}: {relative(item.path, plan.workspace)}"
        f" (begun {utc_text(item.initiated)})"
        for item in (plan.abandoned_uploads if result is None else result.aborted_uploads)
    ]
    if plan.too_new:
        lines.append(f"left alone: {len(plan.too_new)} units written since the collection started")
    if result is None:
        lines.append(
            f"dry run: {len(plan.paths)} files ({human_size(plan.size)}) would be removed from "
            f"{plan.workspace}; run again with --yes to remove them"
        )
        return lines
    lines += [f"skipped (changed since the plan, or gone): {path}" for path in result.skipped]
    lines += [f"skipped (a writer holds its dump lock): {path}" for path in result.locked]
    lines.append(f"removed {len(result.removed)} files ({human_size(result.size)}) from {plan.workspace}")
    return lines


def gc_document(plan: CollectionPlan, result: CollectionResult | None) -> dict[str, Any]:
    return {
        "workspace": plan.workspace,
        "dry_run": result is None,
        "started_at": iso(plan.started_at),
        "removals": [
            {
                "task_family": unit.task.task_family if unit.task else None,
                "unique_id": unit.task.unique_id if unit.task else None,
                "reason": unit.reason,
                "files": [item.path for item in unit.files],
                "size": unit.size,
            }
            for unit in plan.removals
        ],
        "too_new": [item.path for unit in plan.too_new for item in unit],
        "abandoned_uploads": [_upload(item) for item in plan.abandoned_uploads],
        "files": len(plan.paths),
        "size": plan.size,
        "result": None
        if result is None
        else {
            "removed": result.removed,
            "skipped": result.skipped,
            "locked": result.locked,
            "aborted_uploads": [_upload(item) for item in result.aborted_uploads],
            "size": result.size,
        },
    }


__all__ = [
    "STRAY",
    "du_document",
    "du_lines",
    "gc_document",
    "gc_lines",
    "human_size",
    "iso",
    "ls_document",
    "ls_lines",
    "params_text",
    "relative",
    "table",
    "unit_name",
    "utc_text",
]
