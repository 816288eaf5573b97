"""Removing cache files a task no longer needs (`gokart.workspace_management`).

gokart compares raw path strings, so with the default `./resources/` workspace every output, needed
or not, differs from its `pathlib` spelling and is deleted. Here every path is resolved to an absolute,
normalised form before comparing, nothing outside the workspace is touched, and directories and the
`log/` tree are never removed. The files kart keeps beside an output (its seal `X.pkl.kart-digest`, its
writers' lock, the temporaries of a write in flight; `kart_storage._companions`) follow their output:
kept with a needed one (a needed pickle without its seal no longer loads under signing or strict
integrity), deleted with an unneeded one, and deleted when their output is gone.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import luigi

from kart_storage._companions import companion_owner

from ._errors import OptionError
from ._flatten import flatten

logger = logging.getLogger("gokart.workspace_management")


def _normalised(path: str | os.PathLike[str]) -> str:
    return os.path.normcase(os.path.realpath(os.path.abspath(os.fspath(path))))


def _output_paths(task: Any, seen: set[int]) -> set[str]:
    """Every local output path of `task` and of everything it requires, normalised."""
    if id(task) in seen:
        return set()
    seen.add(id(task))
    paths: set[str] = set()
    for target in flatten(task.output()):
        path = getattr(target, "path", None)
        value = path() if callable(path) else path
        if isinstance(value, str):
            paths.add(_normalised(value))
    for required in flatten(task.requires()):
        if isinstance(required, luigi.Task):
            paths |= _output_paths(required, seen)
    return paths


def _get_all_output_file_paths(task: Any) -> set[str]:
    return _output_paths(task, set())


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def unnecessary_output_files(task: Any) -> list[str]:
    """Files under the task's workspace (outside `log/`) that no task of its tree writes, sorted."""
    task.make_unique_id()
    workspace = str(task.workspace_directory)
    if "://" in workspace:
        raise OptionError(f"only local workspaces can be cleaned, not {workspace!r}")
    root = _normalised(workspace)
    log_dir = os.path.join(root, "log")
    necessary = _get_all_output_file_paths(task)
    candidates: list[str] = []
    if not os.path.isdir(root):
        return candidates
    for found in Path(root).rglob("*.*"):
        if found.is_symlink() or not found.is_file():
            continue
        path = _normalised(found)
        if not _inside(path, root) or _inside(path, log_dir) or path in necessary:
            continue
        candidates.append(path)
    doomed = set(candidates)
    return sorted(path for path in candidates if not _belongs_to_kept_output(path, necessary, doomed))


def _belongs_to_kept_output(path: str, necessary: set[str], doomed: set[str]) -> bool:
    """Whether `path` is a companion (seal, lock, temporary) of an output that stays: a needed one, or a
    file this clean-up leaves alone (no dot in its name, a symlink...). Companions of an unneeded or
    missing output go."""
    owner = companion_owner(path)
    if owner is None:
        return False
    return owner in necessary or (os.path.lexists(owner) and owner not in doomed)


def delete_local_unnecessary_outputs(task: Any) -> None:
    """Delete files in the task's local workspace that are not an output of the task or its requirements.

    Only names with a dot are considered (cache files have extensions), as in gokart."""
    doomed = unnecessary_output_files(task)
    if not doomed:
        logger.info("all files are necessary for this task.")
        return
    # outputs before their companions: a seal never disappears before the bytes it vouches for
    for path in sorted(doomed, key=lambda path: companion_owner(path) is not None):
        try:
            os.remove(path)
        except FileNotFoundError:
            pass  # removed meanwhile (a writer's temporary, a concurrent clean-up): the goal is reached
    logger.info("deleted files: %s", doomed)


__all__ = ["delete_local_unnecessary_outputs", "unnecessary_output_files"]
