"""What a release ships works without the checkout: each package's sdist and wheel build, all six
install from one local folder into a fresh venv the way a user installs them
(`pip install --find-links <dist> gokart[all]`, here through `uv pip`), and every public module of
every package imports there, with each name of its `__all__` resolving.

A public module is one whose dotted path has no part starting with `_`. gokart's `mypy` extra is
installed too, since `gokart.mypy` (the plugin) is a public module that needs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ROOT / "packages"

_PROBE = r"""
import importlib, importlib.metadata, json, sys
report = {"errors": {}, "all_missing": {}, "files": {}, "versions": {}}
for name in json.loads(sys.argv[1]):
    try:
        module = importlib.import_module(name)
    except Exception as exc:
        report["errors"][name] = f"{type(exc).__name__}: {exc}"
        continue
    report["files"][name] = getattr(module, "__file__", None)
    missing = [n for n in getattr(module, "__all__", []) if not hasattr(module, n)]
    if missing:
        report["all_missing"][name] = missing
    if "." not in name:
        dist = "gokart" if name == "gokart" else name.replace("_", "-")
        report["versions"][dist] = [importlib.metadata.version(dist), getattr(module, "__version__", None)]
print(json.dumps(report))
"""


def _distributions() -> dict[str, str]:
    """Package folder name -> version, for the six packages."""
    found = {}
    for pyproject in sorted(PACKAGES.glob("*/pyproject.toml")):
        found[pyproject.parent.name] = tomllib.loads(pyproject.read_text())["project"]["version"]
    return found


def public_modules() -> list[str]:
    """Every module under the packages' src folders whose dotted path has no part starting with `_`."""
    modules = []
    for src in sorted(PACKAGES.glob("*/src")):
        for path in sorted(src.rglob("*.py")):
            parts = list(path.relative_to(src).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            if parts and not any(part.startswith("_") for part in parts):
                modules.append(".".join(parts))
    return modules


def _run(cmd: list[str], cwd: Path) -> None:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stderr[-4000:]}")


def _clean_env() -> dict[str, str]:
    """No PYTHONPATH, no active venv: the fresh venv must not see this checkout or this environment."""
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    return {key: value for key, value in os.environ.items() if key not in drop}


def test_public_modules_are_found() -> None:
    modules = public_modules()
    assert {"kart_hash", "kart_storage", "kart_lock", "kart_notify", "kart_task", "gokart"} <= set(modules)
    assert "gokart.tree.task_info" in modules
    assert not [m for m in modules if any(part.startswith("_") for part in m.split("."))]


@pytest.mark.slow
def test_wheels_install_from_a_folder_and_every_public_module_imports(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    assert uv is not None, "uv is needed to build and install the release (pip install uv)"
    dist = tmp_path / "dist"
    versions = _distributions()
    assert len(versions) == 6
    for folder in versions:
        # sdist first, then the wheel built from that sdist: the sdist is checked to be complete too.
        _run([uv, "build", "--quiet", "--out-dir", str(dist), str(PACKAGES / folder)], cwd=tmp_path)
    wheels = sorted(p.name for p in dist.glob("*.whl"))
    sdists = sorted(p.name for p in dist.glob("*.tar.gz"))
    assert len(wheels) == 6, wheels
    assert len(sdists) == 6, sdists

    venv = tmp_path / "venv"
    _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    # Exact versions for the kart packages, so a same-named project on the index is never picked instead.
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("".join(f"{name}=={version}\n" for name, version in versions.items()))
    install = [uv, "pip", "install", "--quiet", "--python", str(python), "--find-links", str(dist)]
    _run([*install, "-c", str(constraints), "gokart[all,mypy]"], cwd=tmp_path)

    modules = public_modules()
    result = subprocess.run(
        [str(python), "-c", _PROBE, json.dumps(modules)],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == {}
    assert report["all_missing"] == {}
    site = str(venv.resolve())
    outside = {name: f for name, f in report["files"].items() if not str(Path(f).resolve()).startswith(site)}
    assert outside == {}, "modules imported from outside the fresh venv"
    assert sorted(report["files"]) == sorted(modules)
    # The installed metadata and each package's __version__ are the version in its pyproject.toml.
    assert report["versions"] == {
        name.replace("_", "-"): [version, version] for name, version in versions.items()
    }
