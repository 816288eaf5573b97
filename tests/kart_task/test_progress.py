"""The progress display: counts from the worker/scheduler conversation, on a terminal only by default."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path
from typing import Any

import luigi
import pytest
from run_cli import LOCAL, RUN_MAIN, run_cli

import kart_task
from kart_task._progress import DONE, FAILED, PENDING, RUNNING, Progress, ProgressState, progress_wanted


class _FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Leaf(kart_task.TaskOnKart[int]):
    n = luigi.IntParameter()

    def run(self) -> None:
        self.dump(int(self.n))


class _Sum(kart_task.TaskOnKart[int]):
    def requires(self) -> Any:
        return [_Leaf(n=n) for n in range(3)]

    def run(self) -> None:
        self.dump(sum(self.load()))


class _Broken(kart_task.TaskOnKart[int]):
    def requires(self) -> Any:
        return _Leaf(n=7)

    def run(self) -> None:
        raise RuntimeError("no")


def _build_with(progress: Progress, task: luigi.Task, workers: int = 1) -> None:
    with progress:
        luigi.build(
            [task],
            worker_scheduler_factory=progress.wrap(kart_task.WorkerSchedulerFactory()),
            local_scheduler=True,
            workers=workers,
            log_level="CRITICAL",
        )


def test_state_counts_and_ignores_backwards_moves() -> None:
    state = ProgressState()
    assert state.set("a", PENDING)
    assert state.set("b", PENDING)
    assert state.set("a", RUNNING)
    assert not state.set("a", RUNNING)
    assert state.set("a", DONE)
    assert not state.set("a", PENDING)  # re-added while scheduling: still done
    assert state.set("b", FAILED)
    assert (state.total, state.count(DONE), state.count(FAILED)) == (2, 1, 1)
    assert state.describe() == "running 0, failed 1"


def test_wanted_only_on_a_terminal_unless_told() -> None:
    assert progress_wanted(None, _FakeTerminal()) is True
    assert progress_wanted(None, io.StringIO()) is False
    assert progress_wanted(True, io.StringIO()) is True
    assert progress_wanted(False, _FakeTerminal()) is False
    closed = io.StringIO()
    closed.close()
    assert progress_wanted(None, closed) is False


def test_shows_done_over_total_on_a_fake_terminal(workspace: Path) -> None:
    stream = _FakeTerminal()
    progress = Progress.create(None, stream)
    assert progress.enabled
    _build_with(progress, _Sum())
    text = stream.getvalue()
    assert "tasks: 100%" in text
    assert "4/4" in text
    assert "failed 0" in text
    assert progress.state.count(DONE) == 4


def test_counts_failures(workspace: Path) -> None:
    stream = _FakeTerminal()
    progress = Progress.create(None, stream)
    _build_with(progress, _Broken())
    assert progress.state.count(FAILED) == 1
    assert progress.state.count(DONE) == 1
    assert "failed 1" in stream.getvalue()


def test_counts_tasks_run_in_forked_workers(workspace: Path) -> None:
    stream = _FakeTerminal()
    progress = Progress.create(True, stream)
    _build_with(progress, _Sum(), workers=3)
    assert progress.state.count(DONE) == 4
    assert "4/4" in stream.getvalue()


def test_nothing_shown_off_a_terminal(workspace: Path) -> None:
    stream = io.StringIO()
    progress = Progress.create(None, stream)
    assert not progress.enabled
    factory = kart_task.WorkerSchedulerFactory()
    assert progress.wrap(factory) is factory
    _build_with(progress, _Sum())
    assert stream.getvalue() == ""


def test_already_complete_tasks_count_as_done(workspace: Path) -> None:
    kart_task.build(_Sum(), reset_register=False)
    stream = _FakeTerminal()
    progress = Progress.create(None, stream)
    _build_with(progress, _Sum())
    assert progress.state.count(DONE) == progress.state.total == 1  # luigi stops at a complete root


# --- run() options ----------------------------------------------------------------------------------

_BAR = re.compile(r"tasks: +\d+%\|.*\| 3/3 ")
_ANY_BAR = re.compile(r"tasks: +\d+%\|")


def test_run_progress_flag_shows_the_bar_on_a_pipe(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "Step", "--n", "3", "--progress", *LOCAL)
    assert result.returncode == 0, result.stderr
    assert _BAR.search(result.stderr)


def test_run_without_a_terminal_shows_no_bar(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "Step", "--n", "3", *LOCAL)
    assert result.returncode == 0, result.stderr
    assert not _ANY_BAR.search(result.stderr)


def test_run_kart_progress_config(tmp_path: Path) -> None:
    config = tmp_path / "luigi.cfg"
    config.write_text("[kart]\nprogress=true\n")
    result = run_cli(tmp_path, "Step", "--n", "3", *LOCAL, env={"LUIGI_CONFIG_PATH": str(config)})
    assert result.returncode == 0, result.stderr
    assert _BAR.search(result.stderr)


def _run_on_a_terminal(cwd: Path, *args: str, size: tuple[int, int] | None = None) -> tuple[int, str]:
    """stderr on a real pseudo-terminal (of `size` columns x rows; a new one reports 0 x 0)."""
    leader, follower = pty.openpty()
    if size is not None:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    env = {k: v for k, v in os.environ.items() if k != "LUIGI_CONFIG_PATH"}
    process = subprocess.Popen(
        [sys.executable, str(RUN_MAIN), *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    chunks: list[bytes] = []
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 120)
            if not ready:
                process.kill()
                pytest.fail("no output from the run for 120 s")
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the follower side closed: the process is gone
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    return process.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("size", [None, (120, 40)])
def test_run_on_a_terminal_shows_the_bar_by_default(tmp_path: Path, size: tuple[int, int] | None) -> None:
    code, text = _run_on_a_terminal(tmp_path, "Step", "--n", "3", *LOCAL, size=size)
    assert code == 0, text
    assert _BAR.search(text), text[-2000:]


def test_run_on_a_terminal_with_no_progress(tmp_path: Path) -> None:
    code, text = _run_on_a_terminal(tmp_path, "Step", "--n", "3", "--no-progress", *LOCAL)
    assert code == 0, text
    assert not _ANY_BAR.search(text)
    assert "Luigi Execution Summary" in text  # the terminal did get the run's output
