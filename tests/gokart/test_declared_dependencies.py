"""The meta-package declares every third-party package its own modules import: a module-level import in
`dependencies` (an `import gokart` must work from a plain install), an import made on first use (boto3 for
`s3://`, the mypy plugin's mypy) in `dependencies` or one of the extras."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

PACKAGE = Path(__file__).parents[2] / "packages" / "gokart"
SRC = PACKAGE / "src" / "gokart"
#: modules only mypy loads (the plugin and its parts); the `mypy` extra brings what they import
FEATURE_MODULES = ("mypy.py", "_mypy/")


def _dist_name(requirement: str) -> str:
    """`slack-sdk>=3.27` -> `slack-sdk`; names normalised as PEP 503 does."""
    name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((PACKAGE / "pyproject.toml").read_text())["project"]
    required = {_dist_name(req) for req in project["dependencies"]}
    optional = {_dist_name(req) for reqs in project["optional-dependencies"].values() for req in reqs}
    return required, optional


def _third_party_imports() -> dict[str, dict[str, bool]]:
    """top-level import name -> {file: imported at module level (not inside a function)}"""
    found: dict[str, dict[str, bool]] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        module_level = {id(node) for node in tree.body} | {
            id(child) for node in tree.body if isinstance(node, ast.If | ast.Try) for child in ast.walk(node)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "gokart":
                    continue
                relative = path.relative_to(SRC).as_posix()
                at_import = id(node) in module_level and not relative.startswith(FEATURE_MODULES)
                where = found.setdefault(top, {})
                where[relative] = where.get(relative, False) or at_import
    return found


def _editable(name: str) -> set[str]:
    """An editable install (the kart packages here) is missing from packages_distributions(): its
    distribution is found by the import name spelled as a distribution name."""
    try:
        return {_dist_name(importlib.metadata.distribution(_dist_name(name)).metadata["Name"])}
    except importlib.metadata.PackageNotFoundError:
        return set()


def test_every_third_party_import_of_gokart_is_declared() -> None:
    required, optional = _declared()
    dists = importlib.metadata.packages_distributions()
    imports = _third_party_imports()
    assert {"luigi", "redis", "slack_sdk", "kart_task"} <= set(imports)  # the scan saw gokart's imports
    undeclared = {}
    for name, files in imports.items():
        candidates = {_dist_name(dist) for dist in dists.get(name, [])} or _editable(name)
        assert candidates, f"{name} (imported by {sorted(files)}) is not installed here"
        allowed = required if any(files.values()) else required | optional
        if not candidates & allowed:
            undeclared[name] = sorted(files)
    assert undeclared == {}


def test_luigi_range_is_the_one_kart_is_tested_on() -> None:
    project = tomllib.loads((PACKAGE / "pyproject.toml").read_text())["project"]
    [luigi] = [req for req in project["dependencies"] if _dist_name(req) == "luigi"]
    assert luigi.replace(" ", "") == "luigi>=3.6,<3.9"
