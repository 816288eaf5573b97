"""Cross-references into kart's private modules, resolved to the public names users import.

Type hints and base classes name objects where they are defined (`kart_storage._single_file.SingleFileTarget`,
or a bare `LockFactory` in a signature), while the API reference documents them where users import them
(`kart_storage.SingleFileTarget`). This extension maps one to the other by object identity, over the
`__all__` of every kart package:

* a reference to a private path or a bare name of a public object links to its public entry;
* a private object no package exports (a TypeVar, an internal base class or protocol) is shown as plain
  text: it has no page, and that is by design, not a dangling link;
* in "Bases:", a private base class is replaced by its nearest public ancestors.

Public data of `__all__` (type aliases, TypeVars, constants) has no docstring to find: the API pages
document it with `autodata` directives.

References to other libraries are not touched (see `nitpick_ignore_regex` in conf.py).
"""

from __future__ import annotations

import ast
import functools
import importlib
import sys
import typing
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

PACKAGES = ("kart_task", "kart_storage", "kart_lock", "kart_notify", "kart_hash")


def _public_names() -> dict[int, str]:
    """id(object) -> `package.name` for every object in a kart package's `__all__` (first package wins)."""
    names: dict[int, str] = {}
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            names.setdefault(id(getattr(module, name)), f"{package}.{name}")
    return names


def _is_kart(path: str) -> bool:
    return path.split(".")[0] in PACKAGES


@functools.cache
def _names_in_kart_sources() -> frozenset[str]:
    """Every name a kart module defines or imports, also under `if TYPE_CHECKING:` (absent at run time)."""
    names: set[str] = set()
    for package in PACKAGES:
        root = Path(importlib.import_module(package).__file__ or "").parent
        for source in root.rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text())):
                if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                    names.add(node.name)
                elif isinstance(node, ast.ImportFrom):
                    names.update(alias.asname or alias.name for alias in node.names)
                elif isinstance(node, ast.Assign):
                    names.update(t.id for t in node.targets if isinstance(t, ast.Name))
                elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    names.add(node.target.id)
    return frozenset(names)


def _lookup(target: str, context_module: str | None) -> tuple[bool, Any]:
    """The kart object a reference target names, if any: a dotted path or a bare name."""
    if "." in target and _is_kart(target):
        module_path, _, name = target.rpartition(".")
        module = sys.modules.get(module_path)
        if module is not None and hasattr(module, name):
            return True, getattr(module, name)
        return False, None
    candidates = [sys.modules.get(context_module or "")] + [
        module for path, module in sorted(sys.modules.items()) if _is_kart(path)
    ]
    for module in candidates:
        if module is not None and target in vars(module):
            return True, vars(module)[target]
    return False, None


def _resolve(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.Node | None:
    if node.get("refdomain") != "py":
        return None
    target = str(node["reftarget"])
    if "." in target and not _is_kart(target):
        return None
    found, obj = _lookup(target, node.get("py:module"))
    if not found:
        in_kart = "." not in target and _is_kart(str(node.get("py:module") or ""))
        if in_kart and target in _names_in_kart_sources():
            return contnode  # a kart-private name imported only for type checking
        return None
    public = app.env.temp_data.setdefault("kart_public_names", _public_names()).get(id(obj))
    if public is not None and public != target:
        domain = env.get_domain("py")
        resolved = domain.resolve_xref(env, node["refdoc"], app.builder, "obj", public, node, contnode)
        if resolved is not None:
            return resolved
    if public is None and (target.split(".")[-1][:1] == "_" or "._" in target or "." not in target):
        return contnode  # private to kart: plain text, by design
    return None


def _public_bases(app: Sphinx, name: str, obj: Any, options: Any, bases: list[Any]) -> None:
    """Replace private kart base classes by their nearest public (or non-kart) ancestors."""
    public = _public_names()

    def shown(base: Any) -> list[Any]:
        cls = typing.get_origin(base) or base  # `Private[T]` is a private base too
        if not isinstance(cls, type) or not _is_kart(cls.__module__) or id(cls) in public:
            return [base]
        return [ancestor for parent in cls.__bases__ for ancestor in shown(parent)]

    replaced: list[Any] = []
    for base in bases:
        for cls in shown(base):
            if cls not in replaced and cls is not object:
                replaced.append(cls)
    bases[:] = replaced or [object]


def setup(app: Sphinx) -> dict[str, Any]:
    """Hook the resolver in before Sphinx gives up on a reference."""
    app.connect("missing-reference", _resolve)
    app.connect("autodoc-process-bases", _public_bases)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
