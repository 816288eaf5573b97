"""gokart's unique-id file naming: `_<id>` goes before the last suffix only."""

from __future__ import annotations

import os


def make_file_path(path: str, unique_id: str | None = None) -> str:
    """`dir/file.pkl` + `UID` -> `dir/file_UID.pkl`; `a.tar.gz` -> `a.tar_UID.gz`; no id -> unchanged."""
    if unique_id is None:
        return path
    base, ext = os.path.splitext(path)
    return f"{base}_{unique_id}{ext}"


def extension_of(path: str) -> str:
    """The last suffix with its dot (`.gz` for `x.tar.gz`), case kept; empty when there is none."""
    return os.path.splitext(path)[1]
