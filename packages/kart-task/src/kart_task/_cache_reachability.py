"""Which cached files the graphs of some root tasks still need: the same walk as tree info.

A task is needed when a root's graph reaches it: its outputs (by path, so a custom output name or one
without a unique id counts too) and everything written under its unique id (its logs) stay.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ._completeness import target_path
from ._tree_walk import walk


@dataclass
class NeededOutputs:
    """The output paths and unique ids the roots' graphs reach."""

    paths: set[str] = field(default_factory=set)
    unique_ids: set[str] = field(default_factory=set)

    def has_path(self, path: str) -> bool:
        """Whether `path` is an output the roots' graphs reach (local paths compared absolute)."""
        return comparable(path) in self.paths


def comparable(path: str) -> str:
    """Object-store paths as written; local ones absolute and normalised (`./ws/x` is `ws/x`)."""
    if "://" in path:
        return path
    return os.path.normcase(os.path.realpath(os.path.abspath(path)))


def needed_by(roots: Iterable[Any]) -> NeededOutputs:
    """Everything the graphs of `roots` (luigi tasks) reach, each task once however many roots share it."""
    needed = NeededOutputs()
    for root in roots:
        for node in walk(root).nodes.values():
            needed.unique_ids.add(node.unique_id)
            needed.paths.update(comparable(target_path(target)) for target in node.outputs)
    return needed


__all__ = ["NeededOutputs", "comparable", "needed_by"]
