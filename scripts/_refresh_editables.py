"""Reinstall the workspace members into an existing environment, editable and without dependencies.

hatch creates an environment once and later only checks that its dependencies are satisfied, so a
console script or entry point added to a package after that is missing from a reused environment (a CI
cache, a developer's machine). Reinstalling the members rewrites their metadata and scripts; it takes
about a second and touches nothing else."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def workspace_members() -> list[Path]:
    """The package directories of hatch.toml's default environment, in its order."""
    config = tomllib.loads((ROOT / "hatch.toml").read_text())
    members = config["envs"]["default"]["workspace"]["members"]
    return [ROOT / (member if isinstance(member, str) else member["path"]) for member in members]


def refresh(python: str) -> bool:
    """Reinstall every member into the venv of `python`; False (after saying why) when that failed."""
    uv = shutil.which("uv")
    if uv is None:
        print("uv is missing: cannot refresh the workspace members (pip install uv)", flush=True)
        return False
    editables = [arg for member in workspace_members() for arg in ("-e", str(member))]
    cmd = [uv, "pip", "install", "--quiet", "--no-deps", "--python", python, *editables]
    print("+", " ".join(cmd), flush=True)
    done = subprocess.run(cmd, cwd=ROOT, check=False)
    return done.returncode == 0
