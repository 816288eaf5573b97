"""`import gokart` gives gokart 1.12.2's public API at its documented module paths (api_surface.md)."""

from __future__ import annotations

import importlib
import sys

import luigi
import pytest

import gokart

UPSTREAM_ALL = [
    "build",
    "WorkerSchedulerFactory",
    "make_tree_info",
    "tree_info",
    "PandasTypeConfig",
    "ExplicitBoolParameter",
    "ListTaskInstanceParameter",
    "SerializableParameter",
    "TaskInstanceParameter",
    "ZonedDateSecondParameter",
    "run",
    "TaskOnKart",
    "test_run",
    "make_task_info_as_tree_str",
    "add_config",
    "delete_local_unnecessary_outputs",
]

MODULE_NAMES = {
    "gokart.task": ["TaskOnKart", "EmptyDumpError", "T", "K"],
    "gokart.parameter": [
        "TaskInstanceParameter",
        "ListTaskInstanceParameter",
        "ExplicitBoolParameter",
        "SerializableParameter",
        "Serializable",
        "ZonedDateSecondParameter",
        "ParameterKwargs",
        "TASK_ON_KART_TYPE",
        "T",
        "S",
    ],
    "gokart.build": [
        "build",
        "GokartBuildError",
        "HasLockedTaskException",
        "LoggerConfig",
        "TaskDumpConfig",
        "TaskDumpMode",
        "TaskDumpOutputType",
        "process_task_info",
        "WorkerSchedulerFactory",
        "WorkerProtocol",
        "TaskLockExceptionRaisedFlag",
        "logger",
        "_get_output",
        "_reset_register",
    ],
    "gokart.run": ["run", "_try_get_slack_api", "_try_to_send_event_summary_to_slack"],
    "gokart.info": ["make_tree_info", "tree_info"],
    "gokart.tree.task_info": [
        "make_task_info_as_tree_str",
        "make_task_info_as_table",
        "dump_task_info_table",
        "dump_task_info_tree",
        "make_task_info_tree",
        "make_target",
    ],
    "gokart.tree.task_info_formatter": [
        "TaskInfo",
        "RequiredTask",
        "make_task_info_tree",
        "make_tree_info",
        "make_tree_info_table_list",
        "_make_requires_info",
    ],
    "gokart.target": [
        "TargetOnKart",
        "SingleFileTarget",
        "ModelTarget",
        "LargeDataFrameProcessor",
        "make_target",
        "make_model_target",
        "wrap_dump_with_lock",
        "wrap_load_with_lock",
        "wrap_remove_with_lock",
        "make_task_lock_params",
        "TaskLockParams",
        "make_file_processor",
    ],
    "gokart.file_processor": [
        "FileProcessor",
        "DataFrameType",
        "BinaryFileProcessor",
        "PickleFileProcessor",
        "TextFileProcessor",
        "GzipFileProcessor",
        "XmlFileProcessor",
        "NpzFileProcessor",
        "CsvFileProcessor",
        "JsonFileProcessor",
        "ParquetFileProcessor",
        "FeatherFileProcessor",
        "make_file_processor",
    ],
    "gokart.file_processor.pandas": [
        "CsvFileProcessorPandas",
        "JsonFileProcessorPandas",
        "ParquetFileProcessorPandas",
        "FeatherFileProcessorPandas",
    ],
    "gokart.file_processor.polars": ["HAS_POLARS", "CsvFileProcessorPolars", "FeatherFileProcessorPolars"],
    "gokart.conflict_prevention_lock.task_lock": [
        "TaskLockParams",
        "TaskLockException",
        "RedisClient",
        "set_task_lock",
        "set_lock_scheduler",
        "make_task_lock_key",
        "make_task_lock_params",
        "make_task_lock_params_for_run",
        "redis",
    ],
    "gokart.conflict_prevention_lock.task_lock_wrappers": [
        "wrap_dump_with_lock",
        "wrap_load_with_lock",
        "wrap_remove_with_lock",
        "wrap_run_with_lock",
    ],
    "gokart.pandas_type_config": ["PandasTypeConfig", "PandasTypeConfigMap", "PandasTypeError"],
    "gokart.errors": ["GokartBuildError", "HasLockedTaskException", "PandasTypeError", "EmptyDumpError"],
    "gokart.config_params": ["inherits_config_params"],
    "gokart.utils": [
        "add_config",
        "flatten",
        "map_flattenable_items",
        "FlattenableItems",
        "get_dataframe_type_from_task",
        "FileLike",
    ],
    "gokart.testing": ["test_run", "try_to_run_test_for_empty_data_frame", "assert_frame_contents_equal"],
    "gokart.testing.check_if_run_with_empty_data_frame": ["test_run", "try_to_run_test_for_empty_data_frame"],
    "gokart.testing.pandas_assert": ["assert_frame_contents_equal"],
    "gokart.workspace_management": ["delete_local_unnecessary_outputs"],
    "gokart.worker": ["Worker", "gokart_worker", "TaskProcess", "logger"],
    "gokart.slack": [
        "ChannelListNotLoadedError",
        "ChannelNotFoundError",
        "FileNotUploadedError",
        "EventAggregator",
        "SlackAPI",
        "SlackConfig",
    ],
    "gokart.slack.event_aggregator": ["EventAggregator", "FailureEvent"],
    "gokart.slack.slack_api": ["SlackAPI", "slack_sdk"],
    "gokart.slack.slack_config": ["SlackConfig"],
    "gokart.in_memory": ["InMemoryCacheRepository", "InMemoryTarget", "make_in_memory_target"],
    "gokart.in_memory.target": ["InMemoryTarget", "make_in_memory_target"],
    "gokart.in_memory.data": ["InMemoryData"],
    "gokart.s3_config": ["S3Config"],
    "gokart.gcs_config": ["GCSConfig"],
    "gokart.required_task_output": ["RequiredTaskOutput"],
}


def test_top_level_all_is_upstreams_in_order() -> None:
    assert gokart.__all__ == UPSTREAM_ALL
    for name in UPSTREAM_ALL:
        assert getattr(gokart, name) is not None


@pytest.mark.parametrize("module", sorted(MODULE_NAMES))
def test_documented_module_paths_import_with_their_names(module: str) -> None:
    imported = importlib.import_module(module)
    missing = [name for name in MODULE_NAMES[module] if not hasattr(imported, name)]
    assert missing == []


def test_build_and_run_are_functions_shadowing_their_modules() -> None:
    assert callable(gokart.build)
    assert not isinstance(gokart.build, type(sys))
    assert callable(gokart.run)
    assert not isinstance(gokart.run, type(sys))
    assert sys.modules["gokart.build"].build is gokart.build
    assert sys.modules["gokart.run"].run is gokart.run
    from gokart.build import GokartBuildError

    assert issubclass(GokartBuildError, Exception)


@pytest.mark.parametrize(
    "name",
    [
        "conflict_prevention_lock",
        "file_processor",
        "gcs_config",
        "info",
        "pandas_type_config",
        "parameter",
        "required_task_output",
        "slack",
        "target",
        "task",
        "testing",
        "tree",
        "utils",
        "worker",
        "workspace_management",
    ],
)
def test_submodules_are_bound_after_a_bare_import(name: str) -> None:
    assert isinstance(getattr(gokart, name), type(sys))


def test_config_holders_are_classes() -> None:
    assert isinstance(gokart.test_run, type)
    assert gokart.test_run is gokart.testing.test_run
    assert isinstance(gokart.tree_info, type)
    assert callable(gokart.make_tree_info)


@pytest.mark.parametrize(
    "family",
    [
        "TaskOnKart",
        "tree_info",
        "test_run",
        "gokart_worker",
        "SlackConfig",
        "GCSConfig",
        "PandasTypeConfig",
        "PandasTypeConfigMap",
    ],
)
def test_import_registers_gokarts_luigi_families(family: str) -> None:
    assert luigi.task_register.Register.get_task_cls(family) is not None


def test_bare_task_on_kart_writes_where_gokart_does() -> None:
    path = gokart.TaskOnKart().output().path()
    assert path == "./resources/gokart/task/TaskOnKart_7757badf81370beccb26f204c5bddba5.pkl"


def test_reset_register_keeps_gokarts_classes() -> None:
    register = luigi.task_register.Register
    saved = list(register._reg)  # type: ignore[attr-defined]
    try:
        sys.modules["gokart.build"]._reset_register()
        kept = ("TaskOnKart", "tree_info", "test_run", "gokart_worker", "SlackConfig", "PandasTypeConfig")
        for family in kept:
            assert register.get_task_cls(family) is not None
    finally:
        register._reg = saved  # type: ignore[attr-defined]


def test_gokart_target_accepts_lock_params_without_redis(tmp_path: object) -> None:
    from gokart.conflict_prevention_lock.task_lock import make_task_lock_params
    from gokart.target import make_target

    path = f"{tmp_path}/x.pkl"
    params = make_task_lock_params(file_path=path, unique_id="abc")
    target = make_target(path, unique_id="abc", task_lock_params=params)
    target.dump({"a": 1})
    assert target.path().endswith("x_abc.pkl")
    assert target.load() == {"a": 1}


def test_errors_are_the_ones_build_and_dump_raise() -> None:
    import gokart.errors
    import kart_task

    assert gokart.errors.GokartBuildError is kart_task.GokartBuildError
    assert gokart.errors.EmptyDumpError is kart_task.EmptyDumpError
    assert issubclass(gokart.errors.EmptyDumpError, AssertionError)
