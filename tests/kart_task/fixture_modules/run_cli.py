"""Runs kart_task's run() over the `runproj` tasks: in a subprocess (`run_main.py`) or in this process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

RUN_MAIN = Path(__file__).with_name("run_main.py")

# A private in-process scheduler and no pid lock: test runs in parallel checkouts must not meet.
LOCAL = ("--local-scheduler", "--no-lock")


def run_cli(
    cwd: Path, *args: str, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python run_main.py *args` in `cwd` (so `./resources/` is the test's own); output captured as text."""
    full_env = {k: v for k, v in os.environ.items() if k != "LUIGI_CONFIG_PATH"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, str(RUN_MAIN), *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def task_outputs(cwd: Path) -> list[str]:
    """Cache files written by the runproj tasks (not logs, not tree-info files)."""
    root = cwd / "resources" / "runproj"
    return sorted(p.name for p in root.iterdir()) if root.is_dir() else []


def register_runproj() -> None:
    """Put the runproj task classes back in luigi's register (a build() elsewhere may have pruned them)."""
    import luigi.task_register
    import runproj.tasks

    register: list[type] = luigi.task_register.Register._reg  # type: ignore[attr-defined]
    for value in vars(runproj.tasks).values():
        is_task = isinstance(value, type) and issubclass(value, luigi.Task)
        if is_task and value.__module__ == "runproj.tasks" and value not in register:
            register.append(value)


def run_in_process(*args: str, on_finish: Any = None) -> int:
    """kart_task's run() in this process (cwd is the test's workspace); its exit code."""
    from kart_task._run import run

    register_runproj()
    try:
        run(list(args), on_finish=on_finish)
    except SystemExit as exit_:
        code = exit_.code
        return 0 if code is None else int(code)
    raise AssertionError("run() returned instead of exiting")
