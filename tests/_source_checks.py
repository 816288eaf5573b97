"""The rules every package's source keeps, checked by reading it (nothing of it is imported): no import
cycle between its modules (at load time, nor counting imports inside functions), no module over
MAX_LINES lines, no `assert` statement (`python -O` strips them, so library code must not rely on them).

The import graph itself is `_import_graph`'s. Each package's tests/<package>/test_module_graph.py
subclasses PackageSourceRules with the package's name, so the rules are written once. Standard library
only, so it runs in every package's isolated test environment.
"""

from __future__ import annotations

import ast

from _import_graph import MAX_LINES, describe_cycles, import_cycles, import_edges, long_modules, modules_of


def assert_statements(package: str) -> list[str]:
    """`module:line` of every `assert` statement in the source of `package`."""
    found: list[str] = []
    for module in modules_of(package).values():
        tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
        found.extend(
            f"{module.name}:{node.lineno}" for node in ast.walk(tree) if isinstance(node, ast.Assert)
        )
    return found


class PackageSourceRules:
    """The rules as tests: pytest collects them in every `Test...` subclass, which sets PACKAGE."""

    PACKAGE: str

    def test_no_import_cycle_at_module_level(self) -> None:
        cycles = import_cycles(self.PACKAGE)
        assert cycles == [], describe_cycles(cycles, import_edges(self.PACKAGE))

    def test_no_import_cycle_counting_imports_inside_functions(self) -> None:
        """A deferred import still ties two modules together: none closes a circle either."""
        cycles = import_cycles(self.PACKAGE, in_functions=True)
        assert cycles == [], describe_cycles(cycles, import_edges(self.PACKAGE, in_functions=True))

    def test_no_module_over_the_line_limit(self) -> None:
        assert long_modules(self.PACKAGE) == [], f"modules over {MAX_LINES} lines"

    def test_no_assert_statement_in_the_source(self) -> None:
        assert assert_statements(self.PACKAGE) == []
