"""Which packages/* directories a kart package needs, so installs from a checkout resolve
sibling kart packages locally (they are not on PyPI yet) while their metadata keeps plain pins."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ROOT / "packages"


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return match.group(0).lower().replace("_", "-")


def metadata(dist: str) -> dict[str, object]:
    return tomllib.loads((PACKAGES / dist / "pyproject.toml").read_text())


def local_closure(dist: str, extras: tuple[str, ...] = ()) -> list[str]:
    """`dist` and every kart package it needs (through dependencies and the chosen extras)."""
    seen: list[str] = []
    pending = [(dist, extras)]
    while pending:
        name, chosen = pending.pop()
        if name in seen:
            continue
        seen.append(name)
        project = metadata(name)["project"]
        assert isinstance(project, dict)
        requirements = list(project.get("dependencies", []))
        for extra in chosen:
            requirements += project.get("optional-dependencies", {}).get(extra, [])
        for requirement in requirements:
            dep = _name(requirement)
            if (PACKAGES / dep / "pyproject.toml").exists():
                dep_extras = re.search(r"\[([^\]]+)\]", requirement)
                pending.append((dep, tuple(dep_extras.group(1).split(",")) if dep_extras else ()))
    return seen


def install_arguments(dist: str, extras: tuple[str, ...] = ()) -> list[str]:
    """Arguments for `pip install` / `uv pip install`: the package with its extras, then its siblings."""
    names = local_closure(dist, extras)
    args = [f"{PACKAGES / dist}[{','.join(extras)}]" if extras else str(PACKAGES / dist)]
    args += [str(PACKAGES / name) for name in names if name != dist]
    return args
