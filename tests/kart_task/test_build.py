"""build(): outputs, errors keyed by unique id (also with several workers), lock-collision retry, the
worker factory argument, register pruning, LoggerConfig, and the worker's completion check at run."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import luigi
import luigi.scheduler
import pandas as pd
import pytest

import kart_task
from kart_lock import TaskLockException
from kart_task import GokartBuildError, HasLockedTaskException, TaskOnKart


class _Double(TaskOnKart[int]):
    value = luigi.IntParameter(default=2)

    def run(self) -> None:
        self.dump(self.value * 2)


class _AddOne(TaskOnKart[int]):
    source = kart_task.TaskInstanceParameter()

    def run(self) -> None:
        self.dump(self.load("source") + 1)


class _Boom(TaskOnKart[int]):
    def run(self) -> None:
        raise ValueError("boom!")


class _BrokenRequires(TaskOnKart[int]):
    def requires(self) -> Any:
        raise KeyError("no such input")


class _TwoOutputs(TaskOnKart[Any]):
    def output(self) -> Any:
        return [self.make_target("a.pkl"), self.make_target("b.pkl")]

    def run(self) -> None:
        self.dump(1, self.output()[0])
        self.dump(2, self.output()[1])


class _DictOutputs(TaskOnKart[Any]):
    def output(self) -> Any:
        return {"a": self.make_target("a.pkl"), "b": self.make_target("b.csv")}

    def run(self) -> None:
        self.dump(1, self.output()["a"])
        self.dump(pd.DataFrame({"x": [1, 2]}), self.output()["b"])


class _NoKartOutput(TaskOnKart[Any]):
    def output(self) -> Any:
        return luigi.LocalTarget(str(Path(self.workspace_directory) / "plain.txt"))

    def run(self) -> None:
        with self.output().open("w") as stream:
            stream.write("x")


class _CollidesTwice(TaskOnKart[str]):
    """Its run lock is 'held elsewhere' on the first two attempts (a file counts across processes)."""

    counter = luigi.Parameter()

    def run(self) -> None:
        path = Path(self.counter)
        attempts = int(path.read_text()) if path.exists() else 0
        path.write_text(str(attempts + 1))
        if attempts < 2:
            raise TaskLockException("held by another worker")
        self.dump(f"done after {attempts + 1} attempts")


class _AlwaysCollides(TaskOnKart[str]):
    def run(self) -> None:
        raise TaskLockException("held by another worker")


def test_build_returns_the_loaded_output(workspace: Path) -> None:
    assert kart_task.build(_AddOne(source=_Double(value=5))) == 11


def test_return_value_false_returns_none_but_builds(workspace: Path) -> None:
    task = _Double(value=3)
    assert kart_task.build(task, return_value=False) is None
    assert task.output().load() == 6


def test_list_and_dict_outputs_are_loaded(workspace: Path) -> None:
    assert kart_task.build(_TwoOutputs()) == [1, 2]
    loaded = kart_task.build(_DictOutputs())
    assert loaded["a"] == 1
    pd.testing.assert_frame_equal(loaded["b"], pd.DataFrame({"x": [1, 2]}))


def test_output_that_is_not_a_kart_target_is_rejected(workspace: Path) -> None:
    with pytest.raises(ValueError, match="output type is not supported"):
        kart_task.build(_NoKartOutput())


@pytest.mark.parametrize("workers", [1, 2])
def test_failure_is_keyed_by_unique_id_in_every_mode(workspace: Path, workers: int) -> None:
    task = _Boom()
    with pytest.raises(GokartBuildError) as caught:
        kart_task.build(task, workers=workers)
    assert list(caught.value.raised_exceptions) == [task.make_unique_id()]
    [error] = caught.value.raised_exceptions[task.make_unique_id()]
    assert isinstance(error, ValueError)
    assert error.args == ("boom!",)
    assert "Luigi Execution Summary" in str(caught.value)


def test_requires_error_comes_out_of_build_as_raised(workspace: Path) -> None:
    """As gokart 1.12: what requires() raises escapes build() (tests/kart_task/test_dropin_build.py)."""
    task = _BrokenRequires()
    with pytest.raises(KeyError, match="no such input"):
        kart_task.build(task)
    assert "unique id unavailable: KeyError" in str(task)  # printable although requires() fails


@pytest.mark.parametrize("workers", [1, 2])
def test_lock_collision_is_retried_in_every_mode(workspace: Path, workers: int) -> None:
    counter = workspace / "attempts.txt"
    result = kart_task.build(
        _CollidesTwice(counter=str(counter)),
        workers=workers,
        task_lock_exception_max_wait_seconds=0,
    )
    assert result == "done after 3 attempts"
    assert counter.read_text() == "3"


def test_lock_collision_gives_up_after_max_tries(workspace: Path) -> None:
    with pytest.raises(HasLockedTaskException):
        kart_task.build(
            _AlwaysCollides(), task_lock_exception_max_tries=3, task_lock_exception_max_wait_seconds=0
        )


def test_lock_collision_failure_is_not_reported_as_run_error(workspace: Path) -> None:
    counter = workspace / "attempts.txt"
    kart_task.build(_CollidesTwice(counter=str(counter)), task_lock_exception_max_wait_seconds=0)
    # a success after collisions raises nothing, and a later failing build does not list the collisions
    with pytest.raises(GokartBuildError) as caught:
        kart_task.build(_Boom())
    assert all(
        not isinstance(e, TaskLockException)
        for errors in caught.value.raised_exceptions.values()
        for e in errors
    )


class _CountingFactory(kart_task.WorkerSchedulerFactory):
    def __init__(self) -> None:
        self.schedulers = 0
        self.workers = 0

    def create_local_scheduler(self) -> luigi.scheduler.Scheduler:
        self.schedulers += 1
        return super().create_local_scheduler()

    def create_worker(self, scheduler: Any, worker_processes: int, assistant: bool = False) -> Any:
        self.workers += 1
        return super().create_worker(scheduler, worker_processes, assistant)


def test_worker_scheduler_factory_argument_is_used(workspace: Path) -> None:
    factory = _CountingFactory()
    assert kart_task.build(_Double(value=1), worker_scheduler_factory=factory) == 2
    assert (factory.schedulers, factory.workers) == (1, 1)


def test_reserved_luigi_argument_is_rejected(workspace: Path) -> None:
    with pytest.raises(TypeError, match="detailed_summary"):
        kart_task.build(_Double(), detailed_summary=False)


def test_build_leaves_no_event_handlers_behind(workspace: Path) -> None:
    before = {key: len(value) for key, value in luigi.Task._event_callbacks.get(TaskOnKart, {}).items()}
    kart_task.build(_Double(value=7))
    kart_task.build(_Double(value=8))
    after = {key: len(value) for key, value in luigi.Task._event_callbacks.get(TaskOnKart, {}).items()}
    assert after == before


def test_reset_register_drops_user_classes_but_keeps_kart_gokart_and_type_configs(workspace: Path) -> None:
    class _ThrowAway(TaskOnKart[int]):
        pass

    class _ColumnTypes(kart_task.PandasTypeConfig):
        pass

    registered = luigi.task_register.Register._reg  # type: ignore[attr-defined]
    assert _ThrowAway in registered
    kart_task.build(_Double(value=9))
    registered = luigi.task_register.Register._reg  # type: ignore[attr-defined]
    assert _ThrowAway not in registered
    assert _ColumnTypes in registered
    assert TaskOnKart in registered
    assert kart_task.gokart_worker in registered
    kart_task.build(_Double(value=10), reset_register=False)


def test_logger_config_restores_the_previous_disable_level() -> None:
    logging.disable(logging.WARNING)
    try:
        with kart_task.LoggerConfig(logging.INFO) as config:
            assert config.logger.isEnabledFor(logging.INFO)
            assert not config.logger.isEnabledFor(logging.DEBUG)
        assert logging.root.manager.disable == logging.WARNING
    finally:
        logging.disable(logging.NOTSET)


@pytest.mark.parametrize(
    ("level", "enabled", "disabled"),
    [(logging.INFO, logging.INFO, logging.DEBUG), (logging.CRITICAL, logging.CRITICAL, logging.ERROR)],
)
def test_logger_config_levels(level: int, enabled: int, disabled: int) -> None:
    with kart_task.LoggerConfig(level) as config:
        assert config.logger.isEnabledFor(enabled)
        assert not config.logger.isEnabledFor(disabled)


def test_unsupported_task_dump_config_is_rejected(workspace: Path) -> None:
    config = kart_task.TaskDumpConfig(kart_task.TaskDumpMode.NONE, kart_task.TaskDumpOutputType.PRINT)
    with pytest.raises(ValueError, match="Unsupported TaskDumpConfig"):
        kart_task.build(_Double(), task_dump_config=config)


def test_a_list_of_tasks_is_refused_as_luigi_does(workspace: Path) -> None:
    with pytest.raises(luigi.worker.TaskException, match="non-task"):
        kart_task.build([_Double()])  # type: ignore[arg-type]


# --- the worker -------------------------------------------------------------------------------------


class _CountsRuns(TaskOnKart[int]):
    log = luigi.Parameter()

    def run(self) -> None:
        with open(self.log, "a") as stream:
            stream.write("run\n")
        self.dump(1)


@pytest.mark.parametrize("check_at_run", [True, False])
def test_worker_skips_a_task_completed_after_scheduling(workspace: Path, check_at_run: bool) -> None:
    log = workspace / "runs.txt"
    task = _CountsRuns(log=str(log), complete_check_at_run=False)
    config = kart_task.gokart_worker(task_completion_check_at_run=check_at_run)
    with kart_task.Worker(scheduler=luigi.scheduler.Scheduler(), config=config) as worker:
        assert worker.add(task)
        task.complete = lambda: True  # type: ignore[method-assign]  # finished elsewhere meanwhile
        assert worker.run()
    assert log.exists() is not check_at_run


@pytest.mark.parametrize(
    ("value", "error"), [(True, None), (False, None), ("not a bool", Exception), (1, Exception)]
)
def test_complete_must_return_a_real_bool(value: Any, error: type[Exception] | None) -> None:
    worker = kart_task.Worker(scheduler=luigi.scheduler.Scheduler())
    if error is None:
        worker._check_complete_value(value)
    else:
        with pytest.raises(error, match="must be boolean"):
            worker._check_complete_value(value)


def test_gokart_worker_section_configures_the_worker(workspace: Path) -> None:
    config = luigi.configuration.get_config()
    config.add_section("gokart_worker")
    try:
        config.set("gokart_worker", "task_completion_check_at_run", "false")
        assert kart_task.gokart_worker().task_completion_check_at_run is False
    finally:
        config.remove_section("gokart_worker")
        luigi.task_register.Register.clear_instance_cache()
    assert kart_task.gokart_worker().task_completion_check_at_run is True


def test_progress_display_can_be_switched_on(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kart_task.build(_AddOne(source=_Double(value=6)), progress=True)
    shown = capsys.readouterr().err
    assert "2/2" in shown


def test_progress_display_is_off_when_not_a_terminal(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kart_task.build(_AddOne(source=_Double(value=7)))
    assert "2/2" not in capsys.readouterr().err
