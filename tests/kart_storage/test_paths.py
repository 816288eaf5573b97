"""join_workspace: relative output paths may not leave the workspace they are joined to."""

from __future__ import annotations

import os

import pytest

from kart_storage import UnsafePathError, join_workspace


@pytest.mark.parametrize(
    "relative",
    [
        "model.pkl",
        "a/b/c.csv",
        "./a.pkl",
        "a/../b.pkl",  # climbs down, then back up: still inside
        "a/./b/../../c.pkl",
        "dotted..name.pkl",
        "..hidden.pkl",
        "a/..b/c.pkl",
    ],
)
def test_paths_that_stay_inside_join_exactly_as_os_path_join(relative: str) -> None:
    for workspace in ("resources", "/abs/ws", "s3://bucket/ws", "gs://bucket/ws", "memory://ws"):
        assert join_workspace(workspace, relative) == os.path.join(workspace, relative)


@pytest.mark.parametrize(
    ("relative", "reason"),
    [
        ("../x.pkl", "climb out"),
        ("a/../../x.pkl", "climb out"),
        ("a/b/../../../etc/passwd", "climb out"),
        ("..", "climb out"),
        ("..\\x.pkl", "climb out"),
        ("/etc/passwd", "absolute"),
        ("//server/share/x", "absolute"),
        ("C:\\temp\\x.pkl", "absolute"),
        ("C:x.pkl", "absolute"),
        ("\\\\server\\share\\x", "absolute"),
        ("s3://other-bucket/x.pkl", "URL"),
        ("gs://b/x.pkl", "URL"),
        ("~/x.pkl", "home"),
        ("", "empty"),
        ("a\x00b.pkl", "NUL"),
    ],
)
def test_escaping_paths_are_refused_with_the_path_named(relative: str, reason: str) -> None:
    with pytest.raises(UnsafePathError, match=reason) as caught:
        join_workspace("resources", relative)
    assert repr(relative) in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_an_empty_workspace_is_refused() -> None:
    with pytest.raises(UnsafePathError, match="empty workspace"):
        join_workspace("", "x.pkl")
