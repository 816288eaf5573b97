"""Joining user-supplied relative paths onto a workspace without letting them climb out of it."""

from __future__ import annotations

import ntpath
import os
import posixpath

from ._errors import UnsafePathError


def _escape_reason(relative_path: str) -> str | None:
    if not relative_path:
        return "it is empty"
    if "\x00" in relative_path:
        return "it contains a NUL byte"
    if "://" in relative_path:
        return "it is a URL, not a path relative to the workspace"
    if posixpath.isabs(relative_path) or ntpath.isabs(relative_path) or ntpath.splitdrive(relative_path)[0]:
        return "it is absolute"
    if relative_path.startswith("~"):
        return "it starts with '~' (a home directory, outside the workspace)"
    depth = 0
    for part in relative_path.replace("\\", "/").split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return "its '..' components climb out of the workspace"
        elif part not in ("", "."):
            depth += 1
    return None


def check_relative_path(relative_path: str) -> str:
    """`relative_path` unchanged when it stays inside any directory it is joined to; else UnsafePathError."""
    reason = _escape_reason(relative_path)
    if reason is not None:
        raise UnsafePathError(
            f"relative path {relative_path!r} is refused: {reason}. Outputs must stay inside the workspace;"
            " give a path such as 'features/train.pkl'."
        )
    return relative_path


def join_workspace(workspace: str, relative_path: str) -> str:
    """`workspace` joined with `relative_path` exactly as `os.path.join` does (so gokart's output paths are
    unchanged), after checking that `relative_path` cannot leave the workspace: absolute paths, drive
    letters, URLs, `~` and `..` that climb above the workspace raise UnsafePathError naming the path.
    `a/../b` is accepted: it stays inside."""
    check_relative_path(relative_path)
    if not workspace:
        raise UnsafePathError(f"empty workspace for relative path {relative_path!r}")
    return os.path.join(workspace, relative_path)
