"""Every test of the monorepo: the whole suite in the workspace env, each package alone (newest luigi
of the declared range), kart-task and gokart again on the oldest luigi under `python -O`, then lint.

Prints one line per pass, then one closing line summing them, and fails when anything failed or when
no test ran."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import _oldest_luigi
from _junit import Counts, read_counts
from _refresh_editables import refresh

ROOT = Path(__file__).resolve().parent.parent


LINT_STEPS = (
    ["ruff", "check", "."],
    ["ruff", "format", "--check", "."],
    ["mypy"],
)


def lint() -> Counts:
    """ruff and mypy --strict over the monorepo; each step counts as one check in the closing line."""
    counts = Counts()
    for step in LINT_STEPS:
        print(f"=== lint: {' '.join(step)} ===", flush=True)
        result = subprocess.run([sys.executable, "-m", *step], cwd=ROOT, check=False)
        counts += Counts(passed=1) if result.returncode == 0 else Counts(failed=1)
    print(f"lint: {counts.line()}", flush=True)
    return counts


def main() -> int:
    reports = ROOT / ".venvs"
    reports.mkdir(exist_ok=True)
    workspace_report = reports / "workspace.junit.xml"
    workspace_report.unlink(missing_ok=True)
    args = sys.argv[1:] or ["tests/integration"]
    passes: list[tuple[str, Counts, float]] = []

    started = time.monotonic()
    print("=== workspace: cross-package tests with every package installed ===", flush=True)
    if not refresh(sys.executable):
        return 1
    subprocess.run(
        [sys.executable, "-m", "pytest", f"--junitxml={workspace_report}", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        check=False,
    )
    workspace = read_counts(workspace_report)
    print(f"workspace: {workspace.line()}", flush=True)
    passes.append(("workspace", workspace, time.monotonic() - started))

    started = time.monotonic()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "check_isolation.py")], cwd=ROOT, check=False)
    summary = reports / "isolation-summary.json"
    isolation, newest = Counts(failed=1), "?"
    if summary.exists():
        data = json.loads(summary.read_text())
        isolation = Counts(**data["counts"])
        newest = ", ".join(sorted(set(data["luigi"].values()))) or "?"
    passes.append((f"isolation, each package alone (luigi {newest})", isolation, time.monotonic() - started))

    started = time.monotonic()
    print("\n=== kart-task and gokart on the oldest luigi of the range, python -O ===", flush=True)
    oldest, oldest_counts = _oldest_luigi.run(reports / "oldest-luigi.junit.xml")
    print(f"oldest luigi: {oldest_counts.line()}", flush=True)
    passes.append(
        (f"kart-task + gokart (luigi {oldest}, python -O)", oldest_counts, time.monotonic() - started)
    )

    started = time.monotonic()
    passes.append(("lint", lint(), time.monotonic() - started))

    print()
    total = Counts()
    for name, counts, seconds in passes:
        print(f"  {name}: {counts.line()} ({seconds:.0f} s)")
        total += counts
    print(f"kart: {total.line()}")
    if total.total == 0:
        print("no test ran: that is a failure", file=sys.stderr)
        return 1
    return 1 if total.failed else 0


if __name__ == "__main__":
    sys.exit(main())
