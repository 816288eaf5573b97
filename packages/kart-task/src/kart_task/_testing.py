"""Testing helpers (`gokart.testing`): the empty-DataFrame smoke test of `--test-run-pandas`, and a
DataFrame comparison that ignores row and column order.

gokart's smoke test injects no empty data and, because every task is complete after the real run, skips
every `run()`, so it reports OK for a task that would fail. Here each task's own `run()` is called
directly (no completion skip, no run lock) with `load()` giving its real inputs cut to zero rows (same
columns and dtypes) and `dump()` doing nothing, so a `run()` that breaks on empty data is reported NG.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import luigi
import luigi.cmdline_parser
import pandas as pd

from ._errors import FrameMismatchError
from ._flatten import flatten
from ._identity import unique_id_or_task_id
from ._task import TaskOnKart

_DROP_PREFIX = "--test-run-"

test_logger = logging.getLogger("gokart.testing.check_if_run_with_empty_data_frame")
test_logger.setLevel(logging.INFO)
if not any(getattr(h, "_kart_test_run", False) for h in test_logger.handlers):
    _handler = logging.StreamHandler()
    _handler._kart_test_run = True  # type: ignore[attr-defined]
    test_logger.addHandler(_handler)


class test_run(TaskOnKart[Any]):  # the command line flags are --test-run-*
    """Holds `--test-run-pandas` and `--test-run-namespace=NS`; never run."""

    __test__ = False  # not a pytest test class despite the name

    pandas = luigi.BoolParameter(default=False, description="Run every task's run() on empty DataFrames.")
    namespace = luigi.OptionalParameter(
        default=None, description="Only tasks of this namespace (__not_user_specified: tasks without one)."
    )


@dataclass(frozen=True)
class _TestStatus:
    """One task's outcome in the empty-DataFrame test run, printed as gokart's `status=OK|NG` line."""

    task: luigi.Task
    exception: BaseException | None = None

    @property
    def ok(self) -> bool:
        """Whether the task ran on empty DataFrames without raising."""
        return self.exception is None

    def format(self) -> str:
        """gokart's report line for this task: `status=OK|NG; namespace=...; name=...; id=...;`."""
        task = self.task
        line = (
            f"status={'OK' if self.ok else 'NG'}; namespace={task.task_namespace}; "
            f"name={type(task).__name__}; id={unique_id_or_task_id(task)};"
        )
        if self.exception is not None:
            args = ", ".join(str(arg) for arg in self.exception.args)
            line += f" message={type(self.exception).__name__}: {args}"
        return line


def _remaining_args(cmdline_args: Sequence[str]) -> list[str]:
    """Everything but the `--test-run-*` flags, also when a value follows as a separate word."""
    remaining: list[str] = []
    skip_value = False
    for arg in cmdline_args:
        if skip_value:
            skip_value = False
            continue
        if arg.startswith(_DROP_PREFIX):
            skip_value = arg == "--test-run-namespace"
            continue
        remaining.append(arg)
    return remaining


def _get_all_tasks(task: luigi.Task) -> Iterator[luigi.Task]:
    """The task and everything reachable through requires(), pre-order, repeats kept (as gokart)."""
    yield task
    for required in flatten(task.requires()):
        if isinstance(required, luigi.Task):
            yield from _get_all_tasks(required)


def _emptied(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        return value.iloc[0:0]
    if isinstance(value, pd.Series):
        return value.iloc[0:0]
    if isinstance(value, dict):
        return {key: _emptied(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_emptied(item) for item in value)
    return value


def _run_with_empty_inputs(task: luigi.Task) -> None:
    """Call the class's run() on this instance with inputs cut to zero rows and dump disabled."""
    if not isinstance(task, TaskOnKart):
        type(task).run(task)
        return

    def load(target: Any = None) -> Any:
        return _emptied(TaskOnKart.load(task, target))

    def load_generator(target: Any = None) -> Iterator[Any]:
        for value in TaskOnKart.load_generator(task, target):
            yield _emptied(value)

    def dump(obj: Any, target: Any = None, custom_labels: dict[str, Any] | None = None) -> None:
        return None

    patched = {"load": load, "load_generator": load_generator, "dump": dump}
    saved = {name: task.__dict__[name] for name in patched if name in task.__dict__}
    task.__dict__.update(patched)
    try:
        type(task).run(task)  # the class's run: no completion skip, no run lock
    finally:
        for name in patched:
            task.__dict__.pop(name, None)
        task.__dict__.update(saved)


def _run_with_test_status(task: luigi.Task) -> _TestStatus:
    """Run `task` on empty inputs; its outcome, the exception caught rather than raised."""
    try:
        _run_with_empty_inputs(task)
    except Exception as exc:
        return _TestStatus(task, exc)
    return _TestStatus(task)


def test_run_settings(cmdline_args: Sequence[str]) -> tuple[bool, str | None]:
    """(`--test-run-pandas`, `--test-run-namespace`) as given on the command line or in the config."""
    with luigi.cmdline_parser.CmdlineParser.global_instance(cmdline_args):
        config = test_run()
        return bool(config.pandas), config.namespace


def check_on_empty_data_frames(cmdline_args: list[str], namespace: str | None) -> NoReturn:
    """Every task (of `namespace`) run on empty inputs, after the real run of the workflow (`_run` does
    that part: the test mode re-enters run()); logs the results and exits 1 when one failed, else 0."""
    with luigi.cmdline_parser.CmdlineParser.global_instance(cmdline_args) as parser:
        root = parser.get_task_obj()
    tasks = [t for t in _get_all_tasks(root) if namespace is None or t.task_namespace == namespace]
    statuses = [_run_with_test_status(task) for task in tasks]
    test_logger.info("gokart test results:\n" + "\n".join(status.format() for status in statuses))
    sys.exit(1 if any(not status.ok for status in statuses) else 0)


def assert_frame_contents_equal(actual: pd.DataFrame, expected: pd.DataFrame, **kwargs: Any) -> None:
    """Equal as sets of labelled rows and columns; extra kwargs go to `pandas.testing.assert_frame_equal`."""
    # raised, not asserted: a test helper must fail under `python -O` too (AssertionErrors all the same)
    if not isinstance(actual, pd.DataFrame):
        raise FrameMismatchError("actual is not a DataFrame")
    if not isinstance(expected, pd.DataFrame):
        raise FrameMismatchError("expected is not a DataFrame")
    if not actual.index.is_unique:
        raise FrameMismatchError("actual index is not unique")
    if not expected.index.is_unique:
        raise FrameMismatchError("expected index is not unique")
    if not actual.columns.is_unique:
        raise FrameMismatchError("actual columns is not unique")
    if not expected.columns.is_unique:
        raise FrameMismatchError("expected columns is not unique")
    if set(actual.columns) != set(expected.columns):
        raise FrameMismatchError("columns are not equal")
    if set(actual.index) != set(expected.index):
        raise FrameMismatchError("indexes are not equal")
    if sys.flags.optimize:
        warnings.warn(
            "assert_frame_contents_equal under python -O: pandas.testing.assert_frame_equal compares "
            "values with assert statements, which -O removes, so differing values pass unnoticed",
            RuntimeWarning,
            stacklevel=2,
        )
    pd.testing.assert_frame_equal(actual, expected.reindex(actual.index)[actual.columns], **kwargs)


__all__ = ["assert_frame_contents_equal", "check_on_empty_data_frames", "test_run", "test_run_settings"]
