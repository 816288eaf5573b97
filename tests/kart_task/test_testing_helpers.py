"""Testing helpers: the `--test-run-pandas` smoke test that really runs each task on empty DataFrames,
and assert_frame_contents_equal."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import Any

import luigi
import numpy as np
import pandas as pd
import pytest
from run_cli import LOCAL, run_cli, run_in_process, task_outputs

import kart_task
from kart_task._testing import (
    _get_all_tasks,
    _remaining_args,
    _run_with_test_status,
    assert_frame_contents_equal,
    test_run,
)

LOGGER = "gokart.testing.check_if_run_with_empty_data_frame"


def _results(caplog: pytest.LogCaptureFixture) -> list[str]:
    messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(messages) == 1, messages
    head, *lines = messages[0].split("\n")
    assert head == "gokart test results:"
    return [line for line in lines if line]


def test_task_failing_on_empty_data_is_reported_ng(workspace: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    assert run_in_process("FirstRow", *LOCAL, "--test-run-pandas") == 1
    lines = _results(caplog)
    assert len(lines) == 3
    assert re.fullmatch(
        r"status=NG; namespace=__not_user_specified; name=FirstRow; id=[0-9a-f]{32}; "
        r"message=IndexError: single positional indexer is out-of-bounds",
        lines[0],
    )
    assert re.fullmatch(r"status=OK; namespace=__not_user_specified; name=Double; id=[0-9a-f]{32};", lines[1])
    assert lines[2].startswith("status=OK; namespace=__not_user_specified; name=Source; ")


def test_task_fine_on_empty_data_is_ok_and_real_outputs_are_untouched(
    workspace: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    assert run_in_process("Total", *LOCAL, "--test-run-pandas") == 0
    assert all(line.startswith("status=OK;") for line in _results(caplog))
    total = next((workspace / "resources" / "runproj").glob("total_*.pkl"))
    assert pd.read_pickle(total) == 12  # the real run's value; the empty run dumped nothing


def test_namespace_filter(workspace: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    assert run_in_process("FirstRow", *LOCAL, "--test-run-pandas", "--test-run-namespace", "elsewhere") == 0
    assert _results(caplog) == []
    assert task_outputs(workspace) != []  # the workflow itself still ran


def test_original_workflow_failing_is_an_assertion(workspace: Path) -> None:
    with pytest.raises(
        AssertionError, match=r"original workflow does not run properly\. It exited with error code 40"
    ):
        run_in_process("Fails", *LOCAL, "--test-run-pandas")


def test_test_run_on_the_command_line_exits_1_with_the_log_line(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "FirstRow", *LOCAL, "--test-run-pandas")
    assert result.returncode == 1, result.stderr
    assert "gokart test results:" in result.stderr
    assert "status=NG; namespace=__not_user_specified; name=FirstRow;" in result.stderr


def test_remaining_args_drop_test_run_flags_and_a_separate_value() -> None:
    args = ["T", "--test-run-pandas", "--test-run-namespace", "ns", "--x", "1", "--test-run-namespace=y"]
    assert _remaining_args(args) == ["T", "--x", "1"]


def test_test_run_config_defaults() -> None:
    config = test_run()
    assert config.pandas is False
    assert config.namespace is None


# --- in-process: real run() on empty inputs ------------------------------------------------------------


class _Frame(kart_task.TaskOnKart[pd.DataFrame]):
    def run(self) -> None:
        self.dump(pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "b"]}))


class _MeanOfX(kart_task.TaskOnKart[float]):
    def requires(self) -> Any:
        return _Frame()

    def run(self) -> None:
        df = self.load()
        assert list(df.columns) == ["x", "y"]
        assert df["x"].dtype == np.float64
        value = float(df["x"].mean())
        if df.empty:
            assert np.isnan(value)
        self.dump(value)


class _Max(kart_task.TaskOnKart[float]):
    def requires(self) -> Any:
        return {"frame": _Frame()}

    def run(self) -> None:
        self.dump(float(self.load("frame")["x"].to_numpy().max()))  # numpy: max of nothing raises


def test_empty_inputs_keep_columns_and_dtypes(workspace: Path) -> None:
    task = _MeanOfX()
    assert kart_task.build(task, reset_register=False) == 1.5
    status = _run_with_test_status(task)
    assert status.exception is None
    assert kart_task.build(task, reset_register=False) == 1.5  # the cache was not overwritten


def test_run_is_called_although_the_task_is_complete(workspace: Path) -> None:
    task = _Max()
    assert kart_task.build(task, reset_register=False) == 2.0
    assert task.complete()
    status = _run_with_test_status(task)
    assert isinstance(status.exception, ValueError)
    assert status.format().startswith("status=NG; namespace=__not_user_specified; name=_Max; id=")
    assert "message=ValueError: zero-size array" in status.format()
    assert "load" not in task.__dict__  # the patches are gone afterwards
    assert "dump" not in task.__dict__


def test_get_all_tasks_pre_order_with_repeats() -> None:
    class _Twice(kart_task.TaskOnKart[int]):
        def requires(self) -> Any:
            return [_MeanOfX(), _Frame()]

    assert [type(t).__name__ for t in _get_all_tasks(_Twice())] == ["_Twice", "_MeanOfX", "_Frame", "_Frame"]


def test_plain_luigi_task_is_run_as_is() -> None:
    class _Plain(luigi.Task):
        def run(self) -> None:
            raise KeyError("k")

    status = _run_with_test_status(_Plain())
    assert status.format().endswith("message=KeyError: k")


# --- assert_frame_contents_equal --------------------------------------------------------------------------


def test_frames_equal_ignoring_row_and_column_order() -> None:
    actual = pd.DataFrame({"a": [1, 2], "b": [3, 4]}, index=[10, 20])
    expected = pd.DataFrame({"b": [4, 3], "a": [2, 1]}, index=[20, 10])
    assert_frame_contents_equal(actual, expected)


def test_frames_with_different_values_fail() -> None:
    actual = pd.DataFrame({"a": [1, 2]})
    with pytest.raises(AssertionError):
        assert_frame_contents_equal(actual, pd.DataFrame({"a": [1, 3]}))


@pytest.mark.skipif(
    sys.flags.optimize > 0,
    reason="pandas.testing.assert_frame_equal compares values with assert statements, which python -O strips",
)
def test_kwargs_are_forwarded() -> None:
    actual = pd.DataFrame({"a": [1.0, 2.0]})
    expected = pd.DataFrame({"a": [1.05, 2.0]})
    with pytest.raises(AssertionError):
        assert_frame_contents_equal(actual, expected)
    assert_frame_contents_equal(actual, expected, atol=1e-1)


@pytest.mark.parametrize(
    ("actual", "expected", "message"),
    [
        ([1], pd.DataFrame(), "actual is not a DataFrame"),
        (pd.DataFrame(), [1], "expected is not a DataFrame"),
        (pd.DataFrame({"a": [1, 2]}, index=[0, 0]), pd.DataFrame({"a": [1]}), "actual index is not unique"),
        (pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1, 2]}, index=[0, 0]), "expected index is not unique"),
        (
            pd.DataFrame([[1, 2]], columns=["a", "a"]),
            pd.DataFrame({"a": [1]}),
            "actual columns is not unique",
        ),
        (pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [1]}), "columns are not equal"),
        (pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}, index=[5]), "indexes are not equal"),
    ],
)
def test_frame_assertion_messages(actual: Any, expected: Any, message: str) -> None:
    with pytest.raises(AssertionError, match=f"^{re.escape(message)}$"):
        assert_frame_contents_equal(actual, expected)


@pytest.mark.skipif(sys.flags.optimize == 0, reason="checks the warning given under python -O only")
def test_under_optimize_the_helper_warns_that_pandas_compares_nothing() -> None:
    with pytest.warns(RuntimeWarning, match="python -O"):
        assert_frame_contents_equal(pd.DataFrame({"a": [1.0]}), pd.DataFrame({"a": [1.0]}))
