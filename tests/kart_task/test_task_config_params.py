"""inherits_config_params: config values flow into task parameters without changing ids."""

from __future__ import annotations

import luigi

from kart_task import TaskOnKart, inherits_config_params


class ExampleConfig(luigi.Config):
    param = luigi.Parameter(default="from_config")
    other = luigi.Parameter(default="aliased")


@inherits_config_params(ExampleConfig, parameter_alias={"other": "renamed"})
class ConfiguredTask(TaskOnKart[str]):
    param = luigi.Parameter(default="own_default")
    renamed = luigi.Parameter(default="own")


def test_config_value_beats_default_and_alias_applies() -> None:
    task = ConfiguredTask()
    assert task.param == "from_config"
    assert task.renamed == "aliased"
    assert ConfiguredTask.__name__ == "ConfiguredTask"
    assert task.get_task_family() == "ConfiguredTask"  # type: ignore[no-untyped-call]


def test_explicit_argument_wins() -> None:
    assert ConfiguredTask(param="explicit").param == "explicit"
