"""Upstream gokart 1.12.2 in a venv of its own, for tests that compare ids, files and caches
with the real thing. Created once per machine under .venvs/ (a file lock makes parallel test
processes wait for one install rather than race).

The venv's folder is named after a digest of the pinned requirement list: changing the list builds
a new venv beside the old one instead of deleting a venv that another test process may be running."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Exact versions, so two runs compare against the same upstream environment. Changing this list
# builds a new venv (see above; `.complete` marks a finished install). pandas and numpy are left
# to the resolver on purpose: they follow what the kart side resolves, since both sides read each
# other's pickles.
UPSTREAM_REQUIREMENTS = [
    "gokart==1.12.2",
    "luigi==3.8.1",
    "pyarrow==26.0.1",
    "polars==2.1.0",
    "boto3==1.44.8",
    "moto[server]==5.2.5",
    "mypy==2.4.1",
]
_DIGEST = hashlib.sha256("\n".join(UPSTREAM_REQUIREMENTS).encode()).hexdigest()[:10]
UPSTREAM_VENV = ROOT / ".venvs" / f"upstream-gokart-1.12.2-{_DIGEST}"
# luigi's GCS client (what upstream's GCSConfig builds) needs these; they live in a sibling venv so the
# venv every other comparison shares stays as pinned above.
UPSTREAM_GCS_REQUIREMENTS = [
    *UPSTREAM_REQUIREMENTS,
    "google-api-python-client==2.202.0",
    "google-auth==2.62.2",
    "google-auth-httplib2==0.4.4",
    "httplib2==0.32.1",
]
_GCS_DIGEST = hashlib.sha256("\n".join(UPSTREAM_GCS_REQUIREMENTS).encode()).hexdigest()[:10]
UPSTREAM_GCS_VENV = ROOT / ".venvs" / f"upstream-gokart-1.12.2-gcs-{_GCS_DIGEST}"


class UpstreamUnavailableError(RuntimeError):
    """The upstream venv could not be built (no uv/pip, no registry): a failure, not a skip."""


# Upstream checks user input with `assert`, so under `python -O` it is not the reference kart promises to
# match. The tests also run once under PYTHONOPTIMIZE=1 (kart's side keeps it); this launcher runs upstream
# as its users do, asserts on, whoever starts it.
_ASSERTS_ON = """#!/bin/sh
unset PYTHONOPTIMIZE
exec "$(dirname "$0")/python" "$@"
"""


def upstream_python() -> Path:
    """A python that imports upstream gokart 1.12.2, asserts on (the venv is built on first use)."""
    return _venv_python(UPSTREAM_VENV, UPSTREAM_REQUIREMENTS)


def upstream_gcs_python() -> Path:
    """Like upstream_python, plus luigi's GCS client libraries (a sibling venv, built on first use)."""
    return _venv_python(UPSTREAM_GCS_VENV, UPSTREAM_GCS_REQUIREMENTS)


def _venv_python(venv: Path, requirements: list[str]) -> Path:
    python = venv / "bin" / "python"
    launcher = venv / "bin" / "python-asserts-on"
    marker = venv / ".complete"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / ".upstream.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        wanted = "\n".join(requirements)
        if marker.exists() and python.exists() and marker.read_text() == wanted:
            if not launcher.exists():
                _write_launcher(launcher)
            return launcher
        shutil.rmtree(venv, ignore_errors=True)
        uv = shutil.which("uv")
        try:
            if uv:
                subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
                subprocess.run(
                    [uv, "pip", "install", "--quiet", "--python", str(python), *requirements],
                    check=True,
                )
            else:
                subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
                subprocess.run([str(python), "-m", "pip", "install", "-q", *requirements], check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise UpstreamUnavailableError(f"could not install {requirements}: {exc}") from exc
        _write_launcher(launcher)
        marker.write_text(wanted)
        return launcher


def _write_launcher(path: Path) -> None:
    path.write_text(_ASSERTS_ON)
    path.chmod(0o755)


def _run_script(
    python: str, who: str, script: str, *args: str, cwd: Path | None, env: dict[str, str] | None
) -> str:
    result = subprocess.run(
        [python, "-c", script, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"{who} script failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return result.stdout


def run_upstream(script: str, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run `script` (Python source) under upstream gokart; returns stdout, raises with stderr on failure."""
    return _run_script(str(upstream_python()), "upstream gokart", script, *args, cwd=cwd, env=env)


def run_here(script: str, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run `script` in a fresh interpreter of this environment (kart's side of a comparison)."""
    return _run_script(sys.executable, "kart", script, *args, cwd=cwd, env=env)


def last_json(stdout: str) -> Any:
    """The JSON on the last line of a script's output."""
    return json.loads(stdout.strip().splitlines()[-1])


def run_upstream_json(script: str, *args: str, cwd: Path | None = None) -> object:
    """Like run_upstream, for scripts whose last stdout line is JSON."""
    return json.loads(run_upstream(script, *args, cwd=cwd).strip().splitlines()[-1])
