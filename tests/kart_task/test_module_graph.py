"""No import cycle among the modules of this package, and no module over the line limit.

See tests/_import_graph.py for what counts as an import."""

from __future__ import annotations

from _import_graph import MAX_LINES, describe_cycles, import_cycles, import_edges, long_modules

PACKAGE = "kart_task"


def test_no_import_cycle_at_module_level() -> None:
    cycles = import_cycles(PACKAGE)
    assert cycles == [], describe_cycles(cycles, import_edges(PACKAGE))


def test_no_import_cycle_counting_imports_inside_functions() -> None:
    """A deferred import still ties two modules together: none closes a circle either."""
    cycles = import_cycles(PACKAGE, in_functions=True)
    assert cycles == [], describe_cycles(cycles, import_edges(PACKAGE, in_functions=True))


def test_no_module_over_the_line_limit() -> None:
    assert long_modules(PACKAGE) == [], f"modules over {MAX_LINES} lines"
