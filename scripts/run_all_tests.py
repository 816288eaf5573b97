"""Every test of the monorepo: the whole suite in the workspace env, each package alone, then lint.

Prints one closing line summing both, and fails when anything failed or when no test ran."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from _junit import Counts, read_counts

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
    print("=== workspace: cross-package tests with every package installed ===", flush=True)
    subprocess.run(
        [sys.executable, "-m", "pytest", f"--junitxml={workspace_report}", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        check=False,
    )
    workspace = read_counts(workspace_report)
    print(f"workspace: {workspace.line()}", flush=True)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "check_isolation.py")], cwd=ROOT, check=False)
    summary = reports / "isolation-summary.json"
    isolation = Counts(**json.loads(summary.read_text())) if summary.exists() else Counts(failed=1)
    total = Counts()
    total += workspace
    total += isolation
    total += lint()
    print()
    print(f"kart: {total.line()}")
    if total.total == 0:
        print("no test ran: that is a failure", file=sys.stderr)
        return 1
    return 1 if total.failed else 0


if __name__ == "__main__":
    sys.exit(main())
