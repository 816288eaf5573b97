"""Run each package's tests in a fresh venv holding only that package, its declared dependencies
and its `test` dependency group, so an undeclared import fails here rather than for a user."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from _junit import Counts, read_counts
from _local_packages import install_arguments

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / ".venvs"
SUMMARY = VENVS / "isolation-summary.json"

# import name -> modules that importing it must not pull in
FORBIDDEN_ON_IMPORT = {
    "kart_hash": ["luigi", "pandas", "numpy", "redis"],
    "kart_storage": ["luigi", "redis"],
    "kart_lock": ["luigi", "pandas"],
    "kart_notify": ["luigi", "pandas", "redis"],
    "kart_task": [],
    "gokart": [],
}


def package_dirs() -> dict[str, Path]:
    found = {}
    for pyproject in sorted((ROOT / "packages").glob("*/pyproject.toml")):
        data = tomllib.loads(pyproject.read_text())
        module = pyproject.parent.name.replace("-", "_")
        found[module] = pyproject.parent
        assert (pyproject.parent / "src" / module).is_dir(), f"{pyproject.parent}: no src/{module}"
        del data
    return found


def run(cmd: list[str], **kwargs: object) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def installed_version(python: str, dist: str) -> str | None:
    """The version of `dist` in the venv of `python`, or None when it is not installed there."""
    code = f"import importlib.metadata as m; print(m.version({dist!r}))"
    found = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
    return found.stdout.strip() if found.returncode == 0 else None


def check_package(module: str, pkg_dir: Path, pytest_args: list[str], luigi: dict[str, str]) -> Counts:
    data = tomllib.loads((pkg_dir / "pyproject.toml").read_text())
    extras = sorted(data["project"].get("optional-dependencies", {}))
    test_reqs = data.get("dependency-groups", {}).get("test", [])
    venv = VENVS / pkg_dir.name
    shutil.rmtree(venv, ignore_errors=True)
    run(["uv", "venv", "--quiet", "--python", sys.executable, str(venv)])
    python = str(venv / "bin" / "python")
    # Non-editable, as a user gets it; sibling kart packages come from this checkout.
    targets = install_arguments(pkg_dir.name, tuple(extras))
    run(["uv", "pip", "install", "--quiet", "--python", python, *targets, *test_reqs])
    forbidden = FORBIDDEN_ON_IMPORT[module]
    probe = (
        f"import sys, {module}; bad = [m for m in {forbidden!r} if m in sys.modules]; "
        f"assert not bad, f'importing {module} pulled in {{bad}}'; "
        f"assert isinstance({module}.__all__, list) and {module}.__version__"
    )
    run([python, "-c", probe])
    print(f"ok: import {module} pulls in none of {forbidden}", flush=True)
    # The newest luigi of the declared range is tested here (the oldest by scripts/_oldest_luigi.py).
    version = installed_version(python, "luigi")
    if version is not None:
        luigi[pkg_dir.name] = version
        print(f"{pkg_dir.name} resolved luigi {version}", flush=True)
    tests = ROOT / "tests" / module
    report = VENVS / f"{pkg_dir.name}.junit.xml"
    report.unlink(missing_ok=True)
    if not any(tests.glob("test_*.py")):
        print(f"no tests in {tests}", flush=True)
        return Counts()
    # A package may ask for more pytest options ([tool.kart-isolation] pytest-args), e.g. two test processes.
    own_args = data.get("tool", {}).get("kart-isolation", {}).get("pytest-args", [])
    cmd = [python, "-m", "pytest", str(tests), f"--junitxml={report}", "-p", "no:cacheprovider", *own_args]
    cmd += pytest_args
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=False)
    return read_counts(report)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", help="import name(s) to check; default all")
    args, pytest_args = parser.parse_known_args()
    if shutil.which("uv") is None:
        print("uv is missing: pip install uv (hatch installs it too)", file=sys.stderr)
        return 2
    VENVS.mkdir(exist_ok=True)
    SUMMARY.unlink(missing_ok=True)
    total = Counts()
    luigi: dict[str, str] = {}
    for module, pkg_dir in package_dirs().items():
        if args.only and module not in args.only:
            continue
        print(f"\n=== isolation: {pkg_dir.name} ===", flush=True)
        try:
            counts = check_package(module, pkg_dir, pytest_args, luigi)
        except subprocess.CalledProcessError as exc:
            print(f"isolation {pkg_dir.name}: set-up or import probe failed: {exc}", flush=True)
            counts = Counts(failed=1)
        print(f"isolation {pkg_dir.name}: {counts.line()}", flush=True)
        total += counts
    print(f"isolation: {total.line()}")
    SUMMARY.write_text(json.dumps({"counts": vars(total), "luigi": luigi}))
    return 1 if total.failed else 0


if __name__ == "__main__":
    sys.exit(main())
