"""The module-level import graph of one installed package, read with `ast` (nothing is imported but
the package's location), so a test can say: no two modules import each other, no module is too long.

Edges are the imports that run when a module is loaded: statements at module level, in class bodies
and in module-level `if`/`try`/`with` blocks. Imports inside functions are not edges (they run later,
on call), nor are imports under `if TYPE_CHECKING:` (they never run). Both absolute imports of the
package and relative ones (`from . import x`, `from ._a import b`, `from .. import c`) are resolved;
importing a name from a package counts as importing its submodule when one has that name, and as
importing the package's `__init__` otherwise. The implicit import of parent packages is not an edge
(every module would otherwise sit in one cycle with an `__init__` that re-exports it).
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_LINES = 400


@dataclass(frozen=True)
class Module:
    name: str  # dotted: kart_task._task
    path: Path
    is_package: bool  # an __init__.py


def package_root(package: str) -> Path:
    """The directory of an installed (or editable) package, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise LookupError(f"{package} is not an installed package")
    return Path(next(iter(spec.submodule_search_locations)))


def modules_of(package: str) -> dict[str, Module]:
    root = package_root(package)
    found: dict[str, Module] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        name = ".".join([package, *parts])
        found[name] = Module(name, path, is_package)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _load_time_imports(
    body: list[ast.stmt], in_functions: bool = False
) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements that run when the module body runs (not TYPE_CHECKING; in function bodies too
    when `in_functions`, for the stricter view where a deferred import still ties two modules)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if in_functions:
                yield from _load_time_imports(node.body, in_functions)
        elif isinstance(node, ast.ClassDef):
            yield from _load_time_imports(node.body, in_functions)
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _load_time_imports(node.body, in_functions)
            yield from _load_time_imports(node.orelse, in_functions)
        elif isinstance(node, ast.Try | ast.TryStar):
            yield from _load_time_imports(node.body, in_functions)
            for handler in node.handlers:
                yield from _load_time_imports(handler.body, in_functions)
            yield from _load_time_imports(node.orelse, in_functions)
            yield from _load_time_imports(node.finalbody, in_functions)
        elif isinstance(node, ast.With | ast.AsyncWith):
            yield from _load_time_imports(node.body, in_functions)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.While):
            yield from _load_time_imports(node.body, in_functions)
            yield from _load_time_imports(node.orelse, in_functions)


def _resolve_relative(module: Module, level: int, target: str | None) -> str:
    """The absolute name of `from <level dots><target> import ...` written in `module`."""
    parts = module.name.split(".")
    if not module.is_package:
        parts = parts[:-1]  # a plain module's own package is its parent
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    if target:
        parts.extend(target.split("."))
    return ".".join(parts)


def _nearest_known(name: str, known: dict[str, Module]) -> str | None:
    """`a.b.c` itself when it is a module of the package, else its nearest known parent."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def import_edges(package: str, in_functions: bool = False) -> dict[str, set[str]]:
    """module -> the modules of the same package it imports at load time (or anywhere, `in_functions`)."""
    known = modules_of(package)
    edges: dict[str, set[str]] = {name: set() for name in known}
    for module in known.values():
        tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
        for node in _load_time_imports(tree.body, in_functions):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = _resolve_relative(module, node.level, node.module) if node.level else node.module or ""
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    targets.append(submodule if submodule in known else base)
            for target in targets:
                if target != package and not target.startswith(package + "."):
                    continue
                resolved = _nearest_known(target, known)
                if resolved is not None and resolved != module.name:
                    edges[module.name].add(resolved)
    return edges


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components with more than one module, or a module importing itself (iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, ()):
                    components.append(sorted(component))
    return sorted(components)


def import_cycles(package: str, in_functions: bool = False) -> list[list[str]]:
    """Groups of modules of `package` that import each other at load time (empty when there is none);
    with `in_functions`, imports deferred into function bodies count too."""
    return strongly_connected(import_edges(package, in_functions))


def long_modules(package: str, limit: int = MAX_LINES) -> list[tuple[str, int]]:
    """(module, line count) for every module of `package` longer than `limit` lines."""
    found = []
    for module in modules_of(package).values():
        count = len(module.path.read_text(encoding="utf-8").splitlines())
        if count > limit:
            found.append((module.name, count))
    return sorted(found)


def describe_cycles(cycles: list[list[str]], edges: dict[str, set[str]]) -> str:
    """One line per cycle, each module with the cycle members it imports: what to cut."""
    lines = []
    for cycle in cycles:
        members = set(cycle)
        arrows = [f"{m} -> {sorted(edges[m] & members)}" for m in cycle]
        lines.append("; ".join(arrows))
    return "\n".join(lines)
