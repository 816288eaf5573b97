"""PandasTypeConfig checks on dump, and add_config for INI and TOML files with ${ENV} expansion."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import luigi
import numpy as np
import pandas as pd
import pytest

import kart_task
from kart_task import PandasTypeConfig, PandasTypeError, TaskOnKart


class _Typed(PandasTypeConfig):
    task_namespace = "typed_ns"

    @classmethod
    def type_dict(cls) -> dict[str, Any]:
        return {"count": int, "when": datetime.datetime, "vec": np.ndarray}


class _DumpsFrame(TaskOnKart[pd.DataFrame]):
    task_namespace = "typed_ns"
    frame: Any = None

    def run(self) -> None:
        self.dump(self.frame)


class _UntypedNamespace(TaskOnKart[pd.DataFrame]):
    def run(self) -> None:
        self.dump(pd.DataFrame({"count": ["not an int"]}))


def _dump(workspace: Path, frame: pd.DataFrame) -> None:
    task = _DumpsFrame()
    task.frame = frame
    task.run()


def test_matching_types_are_dumped(workspace: Path) -> None:
    frame = pd.DataFrame({"count": [1, 2], "when": [pd.Timestamp("2024-01-01")] * 2, "other": ["x", 1]})
    _dump(workspace, frame)


@pytest.mark.parametrize(
    ("column", "values", "bad_type"),
    [("count", [1.5], "float"), ("count", [None], "NoneType"), ("vec", [[1, 2]], "list")],
)
def test_wrong_type_raises_naming_column_and_types(
    workspace: Path, column: str, values: list[Any], bad_type: str
) -> None:
    with pytest.raises(PandasTypeError, match=f'{bad_type}.*in column "{column}"'):
        _dump(workspace, pd.DataFrame({column: values}))
    assert not _DumpsFrame().output().exists()


def test_other_namespaces_are_not_checked(workspace: Path) -> None:
    task = _UntypedNamespace()
    task.run()
    assert task.output().exists()


def test_config_defined_after_a_dump_still_applies(workspace: Path) -> None:
    class _Late(PandasTypeConfig):
        task_namespace = "late_ns"

        @classmethod
        def type_dict(cls) -> dict[str, Any]:
            return {"a": str}

    class _LateTask(TaskOnKart[pd.DataFrame]):
        task_namespace = "late_ns"

    _UntypedNamespace().run()
    with pytest.raises(PandasTypeError):
        _LateTask().dump(pd.DataFrame({"a": [1]}))


def test_type_config_map_checks_by_namespace() -> None:
    mapping = kart_task.PandasTypeConfigMap()
    with pytest.raises(PandasTypeError):
        mapping.check(pd.DataFrame({"count": ["x"]}), task_namespace="typed_ns")
    mapping.check(pd.DataFrame({"count": ["x"]}), task_namespace="elsewhere")
    mapping.check({"count": "x"}, task_namespace="typed_ns")  # not a DataFrame: nothing to check


# --- add_config ---------------------------------------------------------------------------------------


class _Configured(TaskOnKart[str]):
    label = luigi.Parameter(default="default")
    sizes = luigi.ListParameter(default=[])
    flag = luigi.BoolParameter(default=False)


@pytest.fixture
def clean_config() -> Any:
    config = luigi.configuration.get_config()
    before = {section: dict(config.items(section, raw=True)) for section in config.sections()}
    paths = list(type(config)._config_paths)
    yield config
    for section in config.sections():
        config.remove_section(section)
    for section, options in before.items():
        config.add_section(section)
        for key, value in options.items():
            config.set(section, key, value)
    type(config)._config_paths[:] = paths
    luigi.task_register.Register.clear_instance_cache()


def test_ini_values_expand_environment_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_config: Any
) -> None:
    monkeypatch.setenv("KART_TEST_LABEL", "from-env")
    path = tmp_path / "conf.ini"
    path.write_text(
        "[_Configured]\nlabel = ${KART_TEST_LABEL}-x\n"
        "[TaskOnKart]\nworkspace_directory = ${KART_TEST_LABEL}/ws\n"
    )
    kart_task.add_config(str(path))
    task = _Configured()
    assert task.label == "from-env-x"
    assert task.workspace_directory == "from-env/ws"


def test_toml_values_reach_task_sections_and_taskonkart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_config: Any
) -> None:
    monkeypatch.setenv("KART_TEST_ROOT", "/data")
    path = tmp_path / "conf.toml"
    path.write_text(
        '[_Configured]\nlabel = "100%${KART_TEST_ROOT}"\nsizes = [1, 2]\nflag = true\n'
        '[TaskOnKart]\nworkspace_directory = "${KART_TEST_ROOT}/ws"\n'
    )
    kart_task.add_config(str(path))
    task = _Configured()
    assert (task.label, tuple(task.sizes), task.flag) == ("100%/data", (1, 2), True)
    assert task.workspace_directory == "/data/ws"


def test_toml_with_unset_environment_variable_names_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_config: Any
) -> None:
    monkeypatch.delenv("KART_TEST_UNSET", raising=False)
    path = tmp_path / "conf.toml"
    path.write_text('[_Configured]\nlabel = "${KART_TEST_UNSET}"\n')
    with pytest.raises(ValueError, match=r"conf\.toml.*\[_Configured\] label.*KART_TEST_UNSET"):
        kart_task.add_config(str(path))


def test_missing_config_file_is_reported_as_gokart_did(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="config file not found"):
        kart_task.add_config(str(tmp_path / "nope.ini"))
    with pytest.raises(FileNotFoundError):
        kart_task.add_config(str(tmp_path / "nope.toml"))


def test_unknown_config_extension_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "conf.yaml"
    path.write_text("a: 1\n")
    with pytest.raises(ValueError, match=r"conf\.yaml.*\.ini, \.cfg, \.conf or \.toml"):
        kart_task.add_config(str(path))
