"""One error family: everything kart-task raises on purpose is a KartTaskError, and also the standard
exception gokart raised in its place; `python -O` changes nothing (test_module_graph.py checks that the
library has no `assert` statement)."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import luigi
import pandas as pd
import pytest

import kart_storage
import kart_task
from kart_task import _errors


class _NotATaskInRequires(kart_task.TaskOnKart[Any]):
    def requires(self) -> Any:
        return 1


class _PlainWithNonTask(luigi.Task):
    def requires(self) -> Any:
        return [1]


class _Writes(kart_task.TaskOnKart[Any]):
    def run(self) -> None:
        self.dump(1)


class _NamedOutputs(kart_task.TaskOnKart[Any]):
    def output(self) -> Any:
        return {"a": self.make_target("a.pkl"), "b": "not a target"}


class _Reads(kart_task.TaskOnKart[Any]):
    def requires(self) -> Any:
        return _Writes()


def test_every_error_class_of_the_family_derives_from_the_base() -> None:
    classes = [
        value for _, value in inspect.getmembers(_errors, inspect.isclass) if issubclass(value, Exception)
    ]
    own = [cls for cls in classes if cls.__module__ == _errors.__name__]
    assert len(own) >= 8
    assert [cls.__name__ for cls in own if not issubclass(cls, kart_task.KartTaskError)] == []


def test_every_exported_error_class_derives_from_the_base() -> None:
    exported = [getattr(kart_task, name) for name in kart_task.__all__]
    errors = [value for value in exported if isinstance(value, type) and issubclass(value, BaseException)]
    assert kart_task.KartTaskError in errors
    assert [cls.__name__ for cls in errors if not issubclass(cls, kart_task.KartTaskError)] == []


def test_a_non_task_in_requires_is_one_class_for_the_id_and_the_tree_walk(workspace: Path) -> None:
    with pytest.raises(ValueError, match=r"Task\.requires method returns <class 'int'>") as from_id:
        _NotATaskInRequires().make_unique_id()
    with pytest.raises(TypeError, match=r"Task\.requires method returns <class 'int'>") as from_explain:
        kart_task.explain(_NotATaskInRequires())
    with pytest.raises(ValueError, match="expected a luigi task in the requires") as from_walk:
        kart_task.explain(_PlainWithNonTask())  # type: ignore[no-untyped-call]
    errors = {type(from_id.value), type(from_explain.value), type(from_walk.value)}
    assert errors == {kart_task.NotATaskError}


def test_lock_settings_missing_are_a_setting_error_and_an_assertion_error() -> None:
    with pytest.raises(
        kart_task.TaskSettingError, match=r"redis_host must be set when should_lock_run is True\."
    ):
        kart_task.TaskOnKart(should_lock_run=True)
    with pytest.raises(AssertionError, match=r"redis_port must be set when should_lock_run is True\."):
        kart_task.TaskOnKart(should_lock_run=True, redis_host="localhost")


def test_model_target_needs_a_zip(workspace: Path) -> None:
    with pytest.raises(
        kart_task.TaskSettingError, match=r"extension must be zip, but model\.pkl is passed\."
    ):
        _Writes().make_model_target("model.pkl", save_function=print, load_function=print)


def test_loading_by_name_needs_named_inputs_and_a_task_needs_to_be_required(workspace: Path) -> None:
    kart_task.build(_Writes(), reset_register=False)
    with pytest.raises(AssertionError, match=r"input must be dict\[str, TargetOnKart\]"):
        _Reads().load("name")
    with pytest.raises(kart_task.TaskSettingError, match="should be in requires method"):
        _Reads().load(_NamedOutputs())


def test_dumping_into_a_named_output_that_is_no_target_is_a_setting_error(workspace: Path) -> None:
    with pytest.raises(kart_task.TaskSettingError, match=r"output must be dict\[str, TargetOnKart\]"):
        _NamedOutputs().dump(1, "b")
    with pytest.raises(AssertionError, match=r"output must be TargetOnKart, but <class 'dict'>"):
        _NamedOutputs().dump(1)


def test_an_unsafe_path_is_kart_storages_error_too(workspace: Path) -> None:
    with pytest.raises(kart_storage.UnsafePathError, match="_Writes: ") as caught:
        _Writes().make_target("../outside.pkl")
    assert isinstance(caught.value, kart_task.KartTaskError)


def test_frame_comparison_raises_assertion_errors_of_the_family() -> None:
    with pytest.raises(AssertionError, match="columns are not equal") as caught:
        kart_task.assert_frame_contents_equal(pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [1]}))
    assert isinstance(caught.value, kart_task.FrameMismatchError)


def test_config_errors_keep_their_standard_classes(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as missing:
        kart_task.add_config(str(tmp_path / "absent.ini"))
    assert isinstance(missing.value, AssertionError | kart_task.KartTaskError)
    (tmp_path / "conf.yaml").write_text("")
    with pytest.raises(ValueError, match="unsupported config file extension") as unknown:
        kart_task.add_config(str(tmp_path / "conf.yaml"))
    assert isinstance(unknown.value, kart_task.ConfigFileError)


UNDER_O = """
import json, sys
import luigi, pandas as pd
import kart_task

class OptimisedRead(kart_task.TaskOnKart):
    label = luigi.Parameter(default="from the code")

kart_task.add_config(sys.argv[1])
result = {"optimize": sys.flags.optimize, "label": OptimisedRead().label}
for name, attempt in [
    ("lock", lambda: kart_task.TaskOnKart(should_lock_run=True)),
    ("frames", lambda: kart_task.assert_frame_contents_equal(pd.DataFrame([1]), pd.DataFrame([2]))),
]:
    try:
        attempt()
        result[name] = None
    except AssertionError as exc:
        result[name] = [type(exc).__name__, str(exc).splitlines()[0]]
print(json.dumps(result))
"""


def test_under_python_dash_o_a_config_file_is_read_and_user_errors_still_raise(tmp_path: Path) -> None:
    config = tmp_path / "conf.ini"
    config.write_text("[OptimisedRead]\nlabel = from the file\n")
    done = subprocess.run(
        [sys.executable, "-O", "-c", textwrap.dedent(UNDER_O), str(config)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["optimize"] == 1
    assert result["label"] == "from the file"
    assert result["lock"] == ["TaskSettingError", "redis_host must be set when should_lock_run is True."]
    assert result["frames"] is not None
    assert result["frames"][0] == "AssertionError"


def test_an_expected_type_that_is_no_class_is_a_parameter_type_error() -> None:
    with pytest.raises(TypeError, match=r"^expected_type must be a type, not <class 'int'>$") as caught:
        kart_task.TaskInstanceParameter(expected_type=3)  # type: ignore[arg-type]
    assert isinstance(caught.value, kart_task.ParameterTypeError)
    assert issubclass(kart_task.TaskClassNotReadyError, RuntimeError)
