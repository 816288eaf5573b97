"""kart-storage's modules import each other one way only and stay small (read from the source)."""

from __future__ import annotations

from pathlib import Path

import kart_storage
from _source_checks import import_cycles, import_graph, long_modules, package_dir

_ROOT = package_dir(kart_storage)


def test_no_import_cycle_among_modules_even_counting_imports_inside_functions() -> None:
    assert import_cycles(_ROOT) == []
    assert import_cycles(_ROOT, deferred=True) == []


def test_the_pickle_reader_depends_on_a_leaf_module_only() -> None:
    graph = import_graph(_ROOT, deferred=True)
    assert graph["kart_storage._pickle"] == {"kart_storage._large_frames"}
    assert graph["kart_storage._large_frames"] == set()


def test_modules_stay_under_400_lines() -> None:
    assert long_modules(_ROOT) == []


def test_the_cycle_check_sees_a_cycle(tmp_path: Path) -> None:
    """The checker itself: two modules importing each other are reported."""
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "a.py").write_text("from . import b\n")
    (root / "b.py").write_text("def f():\n    from .a import x\n")
    assert import_cycles(root) == []
    assert import_cycles(root, deferred=True) == [["pkg.a", "pkg.b"]]
