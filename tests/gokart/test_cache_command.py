"""`python -m gokart cache ...` (gokart's face of kart-task's cache command line) and `gokart.cache`, run
as a user runs them: a subprocess in a folder holding the pipeline's module. The command line itself is
tested on every store in tests/kart_task/test_cache_cli.py."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import gokart
import gokart.cache
import kart_task

PIPELINE = textwrap.dedent(
    """
    import luigi
    import gokart


    class Leaf(gokart.TaskOnKart):
        size = luigi.IntParameter()

        def run(self):
            self.dump(list(range(self.size)))


    class Root(gokart.TaskOnKart):
        size = luigi.IntParameter()

        def requires(self):
            return Leaf(size=self.size)

        def run(self):
            self.dump(len(self.load()))
    """
)


def _python(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join(filter(None, [str(cwd), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=False,
    )


def test_gokart_cache_gc_keeps_what_the_root_needs(tmp_path: Path) -> None:
    (tmp_path / "pipeline.py").write_text(PIPELINE)
    for size in (1, 2):
        built = _python(tmp_path, "-c", f"import gokart, pipeline; gokart.build(pipeline.Root(size={size}))")
        assert built.returncode == 0, built.stderr
    listed = _python(tmp_path, "-m", "gokart", "cache", "ls", "resources", "--json")
    assert listed.returncode == 0, listed.stderr

    dry = _python(tmp_path, "-m", "gokart", "cache", "gc", "resources", "--root", "pipeline:Root --size 2")
    files_before = sorted(p for p in (tmp_path / "resources").rglob("*") if p.is_file())
    done = _python(
        tmp_path, "-m", "gokart", "cache", "gc", "resources", "--root", "pipeline:Root --size 2", "--yes"
    )

    assert dry.returncode == 0, dry.stderr
    assert "dry run: 12 files" in dry.stdout
    assert done.returncode == 0, done.stderr
    assert "removed 12 files (" in done.stdout
    left = sorted(p for p in (tmp_path / "resources").rglob("*") if p.is_file())
    assert len(files_before) - len(left) == 12
    after = _python(tmp_path, "-m", "gokart", "cache", "du", "resources", "--json")
    assert '"tasks": 2' in after.stdout  # the root of size 2 and its leaf


def test_python_m_gokart_without_cache_says_how_to_run_tasks(tmp_path: Path) -> None:
    done = _python(tmp_path, "-m", "gokart")

    assert done.returncode == 2
    assert "python -m gokart cache" in done.stderr
    assert "python -m luigi --module" in done.stderr

    bad = _python(tmp_path, "-m", "gokart", "cache", "gc", str(tmp_path))

    assert bad.returncode == 2
    assert "python -m gokart cache gc: error: gc needs something to go by" in bad.stderr


def test_gokart_cache_is_kart_tasks_cache_api() -> None:
    for name in gokart.cache.__all__:
        assert getattr(gokart.cache, name) is (
            getattr(kart_task, name)
            if hasattr(kart_task, name)
            else getattr(__import__("kart_storage"), name)
        )
