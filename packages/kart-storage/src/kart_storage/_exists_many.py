"""exists() of many targets at once, batched per file system where the targets allow it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ._file_target import FileBackedTarget
from ._filesystem import FileSystem
from ._targets import TargetOnKart


def _batchable(target: Any) -> bool:
    """kart's own file-backed targets whose existence is the plain file-system check: a subclass that
    redefines exists (or anything else with an exists(), a Mock(spec=TargetOnKart) included) is asked."""
    kind = type(target)
    return (
        isinstance(target, FileBackedTarget)
        and kind.exists is TargetOnKart.exists
        and kind._exists is FileBackedTarget._exists
        and kind._storage_location is FileBackedTarget._storage_location
    )


def exists_many(targets: Iterable[Any]) -> list[bool]:
    """exists() of every target, in order; kart's file-backed targets on one file system are checked in
    one batched call, every other object by its own exists()."""
    items: Sequence[Any] = list(targets)
    results: list[bool | None] = [None] * len(items)
    groups: dict[int, tuple[FileSystem, list[int], list[str]]] = {}
    for position, target in enumerate(items):
        if not _batchable(target):
            results[position] = bool(target.exists())
            continue
        filesystem, path = target._storage_location()
        group = groups.setdefault(id(filesystem), (filesystem, [], []))
        group[1].append(position)
        group[2].append(path)
    for filesystem, positions, paths in groups.values():
        for position, found in zip(positions, filesystem.exists_many(paths), strict=True):
            results[position] = bool(found)
    return [bool(found) for found in results]
