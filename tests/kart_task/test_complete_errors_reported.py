"""Settings errors raised inside complete() come out of build() as the build's error, not only as luigi's
"failed scheduling": the exception (naming the task and the parameter) is in `raised_exceptions` under
the task's unique id, and it is logged at build()'s default level (ERROR)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import luigi
import pytest

import kart_lock
import kart_task

SETTINGS_ERRORS = [
    pytest.param(
        {"redis_timeout": 5}, kart_lock.LockTimeoutSettingError, "redis_timeout", id="redis_timeout"
    ),
    pytest.param(
        {"verify_integrity": "maybe"}, kart_task.TaskSettingError, "verify_integrity", id="verify_integrity"
    ),
    pytest.param(
        {"workspace_directory": ""},
        kart_task.UnsafeTaskPathError,
        "workspace_directory",
        id="empty_workspace",
    ),
]


class Misconfigured(kart_task.TaskOnKart[int]):
    def run(self) -> None:
        self.dump(1)


class Needs(kart_task.TaskOnKart[int]):
    dep: Any = kart_task.TaskInstanceParameter()

    def run(self) -> None:
        self.dump(2)


class RaisesInComplete(kart_task.TaskOnKart[int]):
    def complete(self) -> bool:
        raise RuntimeError("store said no")


@pytest.fixture(params=[True, False], ids=["prefetch", "no_prefetch"])
def prefetch(request: pytest.FixtureRequest) -> Iterator[bool]:
    """Both ways luigi's scheduling pass asks complete(): after kart's batched prefetch, or alone."""
    config = luigi.configuration.get_config()
    if not request.param:
        config.set("gokart_worker", "completion_prefetch", "false")
    yield bool(request.param)
    if not request.param:
        config.remove_option("gokart_worker", "completion_prefetch")


def _build_error(task: luigi.Task, **options: Any) -> kart_task.GokartBuildError:
    with pytest.raises(kart_task.GokartBuildError) as info:
        kart_task.build(task, reset_register=False, **options)
    return info.value


@pytest.mark.parametrize(("settings", "error", "parameter"), SETTINGS_ERRORS)
def test_settings_error_in_complete_is_reported(
    workspace: Path,
    prefetch: bool,
    caplog: pytest.LogCaptureFixture,
    settings: dict[str, Any],
    error: type[Exception],
    parameter: str,
) -> None:
    task = Misconfigured(**{"workspace_directory": str(workspace / "ws"), **settings})
    with caplog.at_level(logging.ERROR):
        failed = _build_error(task)
    assert "failed scheduling" in str(failed)
    assert list(failed.raised_exceptions) == [task.make_unique_id()]
    [raised] = failed.raised_exceptions[task.make_unique_id()]
    assert isinstance(raised, error)
    assert "Misconfigured" in str(raised)
    assert parameter in str(raised)
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR and "complete()" in r.getMessage()]
    assert logged, [r.getMessage() for r in caplog.records]
    assert parameter in logged[0].getMessage()
    assert "Misconfigured" in logged[0].getMessage()


@pytest.mark.parametrize(("settings", "error", "parameter"), SETTINGS_ERRORS)
def test_settings_error_of_a_dependency_is_reported_under_its_id(
    workspace: Path, prefetch: bool, settings: dict[str, Any], error: type[Exception], parameter: str
) -> None:
    bad = Misconfigured(**{"workspace_directory": str(workspace / "ws"), **settings})
    root = Needs(dep=bad, workspace_directory=str(workspace / "ws"))
    failed = _build_error(root)
    assert list(failed.raised_exceptions) == [bad.make_unique_id()]
    [raised] = failed.raised_exceptions[bad.make_unique_id()]
    assert isinstance(raised, error)
    assert parameter in str(raised)
    assert not (workspace / "ws").exists() or not any((workspace / "ws").rglob("Needs*.pkl"))


def test_settings_error_with_parallel_scheduling(workspace: Path) -> None:
    """luigi's `parallel_scheduling` asks complete() in pool processes and keeps only the text."""
    task = Misconfigured(workspace_directory=str(workspace / "ws"), verify_integrity="maybe")
    failed = _build_error(task, parallel_scheduling=True, workers=2)
    [raised] = failed.raised_exceptions[task.make_unique_id()]
    assert isinstance(raised, kart_task.TaskSettingError)
    assert "verify_integrity" in str(raised)


def test_other_complete_errors_are_reported_with_luigis_traceback(workspace: Path, prefetch: bool) -> None:
    task = RaisesInComplete(workspace_directory=str(workspace / "ws"))
    failed = _build_error(task)
    [raised] = failed.raised_exceptions[task.make_unique_id()]
    assert isinstance(raised, kart_task.CompleteCheckError)
    assert "RaisesInComplete" in str(raised)
    assert "RuntimeError: store said no" in str(raised)


def test_a_well_configured_task_still_builds(workspace: Path, prefetch: bool) -> None:
    assert (
        kart_task.build(Misconfigured(workspace_directory=str(workspace / "ws")), reset_register=False) == 1
    )
