"""The kart-task and gokart tests on the oldest luigi of the declared range, with asserts off.

The newest luigi of the range is what the per-package isolation venvs resolve; this pass covers the
other end in the hatch matrix environment `luigi.<oldest>` (hatch.toml), and runs it under
PYTHONOPTIMIZE=1 so that no behaviour hides in an `assert` (pytest's rewritten test asserts still work).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from _junit import Counts, read_counts
from _refresh_editables import refresh

ROOT = Path(__file__).resolve().parent.parent
TESTS = ["tests/kart_task", "tests/gokart"]
# Two test processes, one file each at a time.
PYTEST_ARGS = ["-n", "2", "--dist", "loadfile", "-p", "no:cacheprovider", "-q"]
# Deselected here only, to keep CI within its time budget: the upstream comparisons (marked `upstream`,
# or named so: test_*_upstream.py files and test_*upstream* tests) are compared with upstream in the
# newest-luigi pass. They spend most of the gokart tests' time starting upstream interpreters.
DESELECT = ["-m", "not upstream", "-k", "not upstream"]


def oldest_luigi() -> str:
    """The lowest luigi version of hatch.toml's `luigi` matrix."""
    config = tomllib.loads((ROOT / "hatch.toml").read_text())
    versions = [str(v) for row in config["envs"]["luigi"]["matrix"] for v in row["luigi"]]
    return min(versions, key=lambda v: tuple(int(part) for part in v.split(".")))


def hatch_command() -> list[str] | None:
    """How to call hatch from inside a hatch environment (whose `python3` does not have it)."""
    python = os.environ.get("KART_HATCH_PYTHON")  # set by scripts/test.sh
    if python:
        return [python, "-m", "hatch"]
    found = shutil.which("hatch")
    return [found] if found else None


def _outer_env() -> dict[str, str]:
    """This process's environment without the active hatch env, so hatch picks the matrix env."""
    env = dict(os.environ)
    active_bin = str(Path(sys.prefix) / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != active_bin)
    for name in ("VIRTUAL_ENV", "HATCH_ENV_ACTIVE", "PYTHONHOME"):
        env.pop(name, None)
    return env


def run(report: Path) -> tuple[str, Counts]:
    """Run the pass; the luigi version it really ran on, and its counts (a set-up failure counts as one)."""
    version = oldest_luigi()
    hatch = hatch_command()
    if hatch is None:
        print("hatch not found: run through scripts/test.sh or set KART_HATCH_PYTHON", flush=True)
        return version, Counts(failed=1)
    env_name = f"luigi.{version}"
    env = _outer_env()
    code = "import sys, luigi; print(sys.executable); print(luigi.__version__)"
    probe = [*hatch, "run", f"{env_name}:python", "-c", code]
    print("+", " ".join(probe), flush=True)
    found = subprocess.run(probe, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    installed = (
        found.stdout.strip().splitlines()[-1] if found.returncode == 0 and found.stdout.strip() else ""
    )
    if installed != version:
        print(
            f"{env_name} has luigi {installed or '(none)'}, not {version}:\n{found.stderr[-3000:]}",
            flush=True,
        )
        return installed or version, Counts(failed=1)
    python = found.stdout.strip().splitlines()[-2]
    if not refresh(python):
        return installed, Counts(failed=1)
    report.unlink(missing_ok=True)
    cmd = [*hatch, "run", f"{env_name}:pytest", *TESTS, f"--junitxml={report}", *PYTEST_ARGS, *DESELECT]
    print("+ PYTHONOPTIMIZE=1", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, env={**env, "PYTHONOPTIMIZE": "1"}, check=False)
    return installed, read_counts(report)
