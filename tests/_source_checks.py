"""Checks that read a package's source instead of running it: no `assert` statements, no import cycles.

Shared by the package tests (each calls these on its own `src/<package>`); standard library only, so it
works in every package's isolated test environment.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType


def package_dir(package: ModuleType) -> Path:
    """The directory of an imported package (where its `__init__.py` is)."""
    if package.__file__ is None:
        raise ValueError(f"{package.__name__} has no __file__")
    return Path(package.__file__).resolve().parent


def _sources(root: Path) -> Iterator[Path]:
    yield from sorted(root.rglob("*.py"))


def assert_statements(root: Path) -> list[str]:
    """`file:line` of every `assert` statement under `root` (`python -O` strips them, so library code
    must not rely on them)."""
    found = []
    for source in _sources(root):
        tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                found.append(f"{source.relative_to(root.parent)}:{node.lineno}")
    return found


def _module_name(root: Path, source: Path) -> str:
    parts = list(source.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports run when the module is imported: top level, and inside top-level if/try blocks (but not
    `if TYPE_CHECKING:`); imports inside functions and classes run later and are not counted."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _module_level_imports(node.body)
            yield from _module_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _module_level_imports(block)


def _deferred_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


def import_graph(root: Path, *, deferred: bool = False) -> dict[str, set[str]]:
    """Module -> the package's own modules it imports at module level (with `deferred`, imports inside
    functions too). `from pkg import sub` counts as an edge to `pkg.sub` when `sub` is a module, else to
    `pkg`."""
    modules = {_module_name(root, source): source for source in _sources(root)}
    graph: dict[str, set[str]] = {}
    for name, source in modules.items():
        is_package = source.name == "__init__.py"
        tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
        edges: set[str] = set()
        imports = _deferred_imports(tree) if deferred else _module_level_imports(tree.body)
        for node in imports:
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base_parts = name.split(".")
                    if not is_package:
                        base_parts = base_parts[:-1]
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                    base = ".".join(base_parts + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            edges.update(target for target in targets if target in modules and target != name)
        graph[name] = edges
    return graph


def import_cycles(root: Path, *, deferred: bool = False) -> list[list[str]]:
    """Every strongly connected group of more than one module (each one is an import cycle)."""
    graph = import_graph(root, deferred=deferred)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def long_modules(root: Path, limit: int = 400) -> list[str]:
    """Modules longer than `limit` lines."""
    found = []
    for source in _sources(root):
        lines = len(source.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append(f"{source.relative_to(root.parent)}: {lines} lines")
    return found
