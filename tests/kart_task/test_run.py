"""run() on the command line: gokart's exit codes, config files, luigi's logging config, on_finish."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import luigi
import luigi.retcodes
import pytest
from run_cli import LOCAL, run_cli, run_in_process, task_outputs

from kart_task._events import EventAggregator
from kart_task._run import RETCODES, _set_retcodes, take_run_flags


def test_success_exits_0_and_writes_outputs(workspace: Path) -> None:
    assert run_in_process("Double", *LOCAL) == 0
    assert [name.split("_")[0] for name in task_outputs(workspace)] == ["double", "source"]


def test_everything_already_done_exits_0(workspace: Path) -> None:
    assert run_in_process("Double", *LOCAL) == 0
    before = {p: p.stat().st_mtime_ns for p in (workspace / "resources" / "runproj").iterdir()}
    assert run_in_process("Double", *LOCAL) == 0
    assert {p: p.stat().st_mtime_ns for p in (workspace / "resources" / "runproj").iterdir()} == before


def test_failing_run_exits_40(workspace: Path) -> None:
    assert run_in_process("Fails", *LOCAL) == 40


def test_missing_external_data_exits_20(workspace: Path) -> None:
    assert run_in_process("NeedsMissing", *LOCAL) == 20


def test_requires_raising_exits_4_naming_the_error(workspace: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert run_in_process("BadRequires", *LOCAL) == 4
    assert "requires() exploded" in caplog.text


def test_missing_parameter_propagates_as_an_exception(workspace: Path) -> None:
    """As gokart: the root task is built before the run, so luigi's exception comes out of run()."""
    with pytest.raises(luigi.parameter.MissingParameterException, match="x"):
        run_in_process("NeedsParam", *LOCAL)
    assert run_in_process("NeedsParam", *LOCAL, "--x", "3") == 0


def test_success_and_failure_on_the_command_line(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "Double", *LOCAL)
    assert result.returncode == 0, result.stderr
    assert [name.split("_")[0] for name in task_outputs(tmp_path)] == ["double", "source"]
    failed = run_cli(tmp_path, "Fails", *LOCAL)
    assert failed.returncode == 40
    assert "boom from Fails" in failed.stderr


def test_requires_raising_on_the_command_line_exits_4(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "BadRequires", *LOCAL)
    assert result.returncode == 4, result.stderr
    assert "requires() exploded" in result.stderr


def test_unknown_task_family_exits_1_naming_it(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "Nope", *LOCAL)
    assert result.returncode == 1
    assert "Nope" in result.stderr


def test_unknown_option_exits_2(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "Double", *LOCAL, "--no-such-option", "x")
    assert result.returncode == 2
    assert "--no-such-option" in result.stderr
    assert task_outputs(tmp_path) == []


def test_bad_parameter_value_exits_1_naming_it(tmp_path: Path) -> None:
    """luigi parses values after argparse: a bad one is an uncaught ValueError (exit 1), as upstream."""
    result = run_cli(tmp_path, "Source", *LOCAL, "--rows", "many")
    assert result.returncode == 1
    assert "'many'" in result.stderr
    assert task_outputs(tmp_path) == []


def test_retcode_config_cannot_lower_gokart_codes(tmp_path: Path) -> None:
    config = tmp_path / "luigi.cfg"
    config.write_text("[retcode]\ntask_failed=3\n")
    result = run_cli(tmp_path, "Fails", *LOCAL, env={"LUIGI_CONFIG_PATH": str(config)})
    assert result.returncode == 40


def test_config_file_added_with_add_config_is_read(tmp_path: Path) -> None:
    config = tmp_path / "base.ini"
    config.write_text("[Source]\nrows=5\n")
    result = run_cli(tmp_path, "Double", *LOCAL, env={"KART_TEST_ADD_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr
    double = next((tmp_path / "resources" / "runproj").glob("double_*.pkl"))
    with double.open("rb") as stream:
        frame = pickle.load(stream)
    assert list(frame["b"]) == [2, 4, 6, 8, 10]


def test_core_logging_conf_file_is_honoured(tmp_path: Path) -> None:
    log_file = tmp_path / "luigi-interface.log"
    logging_ini = tmp_path / "logging.ini"
    logging_ini.write_text(
        "[loggers]\nkeys=root,luigi\n\n"
        "[handlers]\nkeys=file\n\n"
        "[formatters]\nkeys=plain\n\n"
        "[logger_root]\nlevel=WARNING\nhandlers=file\n\n"
        "[logger_luigi]\nlevel=INFO\nhandlers=file\nqualname=luigi-interface\npropagate=0\n\n"
        f"[handler_file]\nclass=FileHandler\nlevel=INFO\nformatter=plain\nargs=({str(log_file)!r}, 'w')\n\n"
        "[formatter_plain]\nformat=CONFIGURED %(name)s %(message)s\n"
    )
    config = tmp_path / "luigi.cfg"
    config.write_text(f"[core]\nlogging_conf_file={logging_ini}\n")
    result = run_cli(tmp_path, "Double", *LOCAL, env={"LUIGI_CONFIG_PATH": str(config)})
    assert result.returncode == 0, result.stderr
    text = log_file.read_text()
    assert "CONFIGURED luigi-interface" in text
    assert "Luigi Execution Summary" in text
    assert "Luigi Execution Summary" not in result.stderr


class _Finish:
    def __init__(self) -> None:
        self.calls: list[tuple[luigi.Task | None, int, EventAggregator]] = []

    def __call__(self, task: luigi.Task | None, code: int, events: EventAggregator) -> None:
        self.calls.append((task, code, events))


def _on_finish(*args: str) -> tuple[int, luigi.Task | None, int, EventAggregator]:
    finish = _Finish()
    code = run_in_process(*args, on_finish=finish)
    assert len(finish.calls) == 1
    return (code, *finish.calls[0])


def test_on_finish_gets_root_task_code_and_successes(workspace: Path) -> None:
    code, task, finish_code, events = _on_finish("Double", *LOCAL)
    assert code == finish_code == 0
    assert type(task).__name__ == "Double"
    assert events.get_summary() == "Success: 2; Failure: 0"
    text = events.get_event_list()
    assert text.startswith("---- Success Tasks ----" + os.linesep)
    assert f"Source:[{_root_uid('Source')}]" in text
    assert f"Double:[{_root_uid('Double')}]" in text


def _root_uid(name: str) -> str:
    import runproj.tasks

    return str(getattr(runproj.tasks, name)().make_unique_id())


def test_on_finish_gets_failures_with_their_exception(workspace: Path) -> None:
    code, _task, finish_code, events = _on_finish("Fails", *LOCAL)
    assert code == finish_code == 40
    assert events.get_summary() == "Success: 0; Failure: 1"
    assert events.get_event_list() == (
        "---- Failure Tasks ----"
        + os.linesep
        + f"Task: Fails:[{_root_uid('Fails')}]; Exception: boom from Fails"
    )


def test_on_finish_sees_tasks_run_in_forked_workers(workspace: Path) -> None:
    """With workers > 1 luigi's events fire in child processes; the summary is still complete."""
    code, _task, _code, events = _on_finish("Step", "--n", "3", "--workers", "2", *LOCAL)
    assert code == 0
    assert events.get_summary() == "Success: 3; Failure: 0"


def test_on_finish_when_nothing_ran(workspace: Path) -> None:
    assert run_in_process("Double", *LOCAL) == 0
    code, _task, _code, events = _on_finish("Double", *LOCAL)
    assert code == 0
    assert events.get_event_list() == "Tasks were not executed."


def test_on_finish_from_a_command_line_script(tmp_path: Path) -> None:
    record = tmp_path / "finish.json"
    result = run_cli(tmp_path, "Fails", *LOCAL, env={"KART_TEST_ON_FINISH": str(record)})
    assert result.returncode == 40
    got = json.loads(record.read_text())
    assert got["task"] == "Fails"
    assert got["code"] == 40
    assert got["summary"] == "Success: 0; Failure: 1"


def test_on_finish_is_not_called_when_the_task_is_unknown(tmp_path: Path) -> None:
    record = tmp_path / "finish.json"
    result = run_cli(tmp_path, "Nope", *LOCAL, env={"KART_TEST_ON_FINISH": str(record)})
    assert result.returncode == 1
    assert not record.exists()  # the failure happened before anything could run


# --- in-process pieces -----------------------------------------------------------------------------


def test_take_run_flags_removes_kart_flags_only() -> None:
    args, flags = take_run_flags(["T", "--explain", "--x", "1", "--progress", "--no-progress"])
    assert args == ["T", "--x", "1"]
    assert flags.explain is True
    assert flags.progress is False
    assert take_run_flags(["T"])[1].progress is None


def test_set_retcodes_sets_luigi_class_attributes(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in RETCODES:
        monkeypatch.setattr(luigi.retcodes.retcode, name, getattr(luigi.retcodes.retcode, name))
    _set_retcodes()
    codes = luigi.retcodes.retcode()
    assert (codes.already_running, codes.missing_data, codes.not_run) == (10, 20, 30)
    assert (codes.task_failed, codes.scheduling_error, codes.unhandled_exception) == (40, 50, 4)


class _Named(luigi.Task):
    def make_unique_id(self) -> str:
        return "abc"


def test_event_aggregator_texts_match_gokart() -> None:
    aggregator = EventAggregator()
    assert aggregator.get_summary() == "Success: 0; Failure: 0"
    assert aggregator.get_event_list() == "Tasks were not executed."
    aggregator.add_success(_Named())
    aggregator.add_failure(_Named(), ValueError("bad"))
    assert aggregator.get_summary() == "Success: 1; Failure: 1"
    assert aggregator.get_event_list() == (
        "---- Failure Tasks ----" + os.linesep + "Task: _Named:[abc]; Exception: bad"
        "---- Success Tasks ----" + os.linesep + "_Named:[abc]"
    )


def test_event_aggregator_handlers_are_removed() -> None:
    aggregator = EventAggregator()
    aggregator.set_handlers()
    task = _Named()
    task.trigger_event(luigi.Event.SUCCESS, task)
    aggregator.remove_handlers()
    task.trigger_event(luigi.Event.SUCCESS, task)
    task.trigger_event(luigi.Event.FAILURE, task, ValueError("late"))
    assert aggregator.success_events == ["_Named:[abc]"]
    assert aggregator.failure_events == []
