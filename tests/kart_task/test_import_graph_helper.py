"""tests/_import_graph.py finds the cycles it is meant to find, and tests/_source_checks.py the `assert`
statements (on a small package written here)."""

from __future__ import annotations

import importlib
import textwrap
from pathlib import Path

import pytest

from _import_graph import import_cycles, import_edges, long_modules
from _source_checks import assert_statements

MODULES = {
    "__init__.py": "from ._a import A\nfrom . import _c\n",
    "_a.py": "from ._b import B\nA = 1\n",
    "_b.py": """
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from ._a import A  # never runs: not an edge
        B = 2
        def late():
            from . import _a  # runs on call: an edge only when imports in functions count
            return _a
    """,
    "_c.py": "import graphpkg._d\n",
    "_d.py": "from graphpkg import _c\nfrom .sub import leaf\n",
    "sub/__init__.py": "",
    "sub/leaf.py": "from .. import _a\n" + "x = 1\n" * 5,
}


@pytest.fixture
def graphpkg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, text in MODULES.items():
        path = tmp_path / "graphpkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    return "graphpkg"


def test_edges_resolve_relative_absolute_and_package_imports(graphpkg: str) -> None:
    edges = import_edges(graphpkg)
    assert edges["graphpkg"] == {"graphpkg._a", "graphpkg._c"}
    assert edges["graphpkg._a"] == {"graphpkg._b"}
    assert edges["graphpkg._b"] == set()  # TYPE_CHECKING and function bodies left out
    assert edges["graphpkg._c"] == {"graphpkg._d"}
    assert edges["graphpkg._d"] == {"graphpkg._c", "graphpkg.sub.leaf"}
    assert edges["graphpkg.sub.leaf"] == {"graphpkg._a"}
    assert import_edges(graphpkg, in_functions=True)["graphpkg._b"] == {"graphpkg._a"}


def test_cycles_at_module_level_and_through_functions(graphpkg: str) -> None:
    assert import_cycles(graphpkg) == [["graphpkg._c", "graphpkg._d"]]
    assert import_cycles(graphpkg, in_functions=True) == [
        ["graphpkg._a", "graphpkg._b"],
        ["graphpkg._c", "graphpkg._d"],
    ]


def test_long_modules_are_listed_with_their_length(graphpkg: str) -> None:
    assert long_modules(graphpkg, limit=6) == [("graphpkg._b", 8)]
    assert long_modules(graphpkg) == []


def test_assert_statements_are_found_wherever_they_are(graphpkg: str, tmp_path: Path) -> None:
    assert assert_statements(graphpkg) == []
    (tmp_path / "graphpkg" / "sub" / "checked.py").write_text("def f(x):\n    assert x\n")
    assert assert_statements(graphpkg) == ["graphpkg.sub.checked:2"]
