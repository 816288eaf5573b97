"""kart resolves parameter values itself (without luigi's eager repr of every argument); every outcome,
value, exception and warning, must be luigi's own for the same call."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import luigi
import luigi.cmdline_parser
import pytest

import kart_task
from kart_task._luigi.param_values import resolve_param_values


class Resolved(kart_task.TaskOnKart[Any]):
    task_namespace = "construction"
    first = luigi.IntParameter(positional=True)
    second = luigi.Parameter(default="two")
    items = luigi.ListParameter(default=[1, 2])
    flag = luigi.BoolParameter(default=False)
    legacy = luigi.Parameter(default="old", config_path={"section": "construction_legacy", "name": "value"})


class FromEnvironment(luigi.Parameter):
    """A parameter type that finds its value its own way must always be asked, never short-cut."""

    def _get_value(self, task_name: str, param_name: str) -> Any:
        return "from-environment"


class OwnLookup(kart_task.TaskOnKart[Any]):
    task_namespace = "construction"
    value = FromEnvironment(default="default")


Outcome = tuple[str, Any, list[tuple[type[Warning], str]]]


def _outcome(resolve: Callable[[], Any], cls: type) -> Outcome:
    # Both sides start without luigi's once-per-class memory of warnings. luigi keeps it on the first
    # class of the MRO that has one, so a base class an earlier test used (TaskOnKart) may hold it.
    for klass in cls.__mro__:
        if "_unconsumed_params" in vars(klass):
            delattr(klass, "_unconsumed_params")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: tuple[str, Any] = ("value", resolve())
        except Exception as exc:  # the exception itself is what is compared
            result = (type(exc).__name__, str(exc))
    return result[0], result[1], [(w.category, str(w.message)) for w in caught]


def _both(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Outcome, Outcome]:
    params = cls.get_params()  # type: ignore[attr-defined]
    ours = _outcome(lambda: resolve_param_values(cls, params, args, kwargs), cls)
    luigis = _outcome(lambda: luigi.Task.get_param_values.__func__(cls, params, args, kwargs), cls)  # type: ignore[attr-defined]
    return ours, luigis


@pytest.fixture
def config() -> Iterator[luigi.configuration.LuigiConfigParser]:
    """luigi's process-wide config, with every section a test adds removed afterwards."""
    parser = luigi.configuration.get_config()
    before = set(parser.sections())
    yield parser
    for section in set(parser.sections()) - before:
        parser.remove_section(section)


CALLS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "positional and defaults": (("a-workspace",), {"first": 5}),
    "keywords": ((), {"first": 1, "second": "x", "items": [3, 4], "flag": True}),
    "a list becomes a tuple": ((), {"first": 1, "items": [[1], {"a": 2}]}),
    "too many positional": (tuple(range(99)), {}),
    "positional and keyword twice": (("a-workspace",), {"workspace_directory": "b", "first": 2}),
    "unknown keyword": ((), {"first": 1, "nope": 3}),
    "missing required": ((), {"second": "x"}),
    "text for an int is normalised as luigi does": ((), {"first": "7"}),
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_same_outcome_as_luigi_without_config(call: str) -> None:
    args, kwargs = CALLS[call]
    ours, luigis = _both(Resolved, args, kwargs)
    assert ours == luigis


@pytest.mark.parametrize("call", sorted(CALLS))
def test_same_outcome_as_luigi_with_the_task_section(call: str, config: Any) -> None:
    config.add_section("construction.Resolved")
    config.set("construction.Resolved", "second", "from-config")
    config.set("construction.Resolved", "first", "11")
    config.set("construction.Resolved", "stray_key", "never consumed")
    config.set("construction.Resolved", "dashed-stray", "never consumed either")
    args, kwargs = CALLS[call]
    ours, luigis = _both(Resolved, args, kwargs)
    assert ours == luigis
    if ours[0] == "value" and "second" not in kwargs:
        assert dict(ours[1])["second"] == "from-config"
    if ours[0] == "value":
        assert any("stray_key" in message for _, message in ours[2]), "the unconsumed-key warning is kept"


def test_deprecated_config_path_is_read_and_warned_about(config: Any) -> None:
    config.add_section("construction_legacy")
    config.set("construction_legacy", "value", "from-legacy-section")
    ours, luigis = _both(Resolved, (), {"first": 1})
    assert ours == luigis
    assert dict(ours[1])["legacy"] == "from-legacy-section"
    assert any(category is DeprecationWarning for category, _ in ours[2])


def test_unparsable_config_value_fails_as_in_luigi(config: Any) -> None:
    config.add_section("construction.Resolved")
    config.set("construction.Resolved", "first", "not-a-number")
    ours, luigis = _both(Resolved, (), {})
    assert ours == luigis
    assert ours[0] == "ValueError"
    assert "first" in ours[1]


def test_command_line_values_are_read() -> None:
    with luigi.cmdline_parser.CmdlineParser.global_instance(
        ["construction.Resolved", "--first", "3", "--construction.Resolved-second", "from-cli"]
    ):
        ours, luigis = _both(Resolved, (), {"first": 3})
    assert ours == luigis
    assert dict(ours[1])["second"] == "from-cli"


def test_a_parameter_with_its_own_lookup_is_asked() -> None:
    ours, luigis = _both(OwnLookup, (), {})
    assert ours == luigis
    assert dict(ours[1])["value"] == "from-environment"


def test_unconsumed_key_is_warned_about_once_per_class(config: Any) -> None:
    config.add_section("construction.Resolved")
    config.set("construction.Resolved", "stray_key", "x")
    if hasattr(Resolved, "_unconsumed_params"):
        del Resolved._unconsumed_params
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Resolved(first=1)
        Resolved(first=2)
    assert [str(w.message) for w in caught if "stray_key" in str(w.message)] == [
        "The configuration contains the parameter 'stray_key' with value 'x' that is not consumed by the "
        "task 'construction.Resolved'."
    ]


class _Loud:
    """An argument whose repr is costly: luigi formats it on every call, kart only for an error."""

    reprs = 0

    def __repr__(self) -> str:
        _Loud.reprs += 1
        return "Loud()"


class TakesAnything(kart_task.TaskOnKart[Any]):
    task_namespace = "construction"
    payload = luigi.ListParameter(significant=False)


def test_arguments_are_formatted_only_for_an_error() -> None:
    _Loud.reprs = 0
    TakesAnything(payload=[_Loud()])
    assert _Loud.reprs == 0
    with pytest.raises(luigi.parameter.UnknownParameterException, match=r"Loud\(\)"):
        TakesAnything(payload=[_Loud()], other=1)
    assert _Loud.reprs == 1


def test_values_from_luigis_toml_parser_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """luigi's TOML parser keeps its sections outside ConfigParser's; kart must still see them."""
    from luigi.configuration.toml_parser import LuigiTomlParser

    parser = LuigiTomlParser()
    parser.data = {"construction.Resolved": {"second": "from-toml"}}
    monkeypatch.setattr(luigi.configuration, "get_config", lambda parser_name=None: parser)
    ours, luigis = _both(Resolved, (), {"first": 1})
    assert ours == luigis
    assert dict(ours[1])["second"] == "from-toml"


def test_str_params_answers_are_kept_but_handed_out_as_copies() -> None:
    task = Resolved(first=4, second="x")
    first = task.to_str_params(only_significant=True)
    first["second"] = "changed by a caller"
    first["extra"] = "added by a caller"
    again = task.to_str_params(only_significant=True)
    assert again["second"] == "x"
    assert "extra" not in again
    assert task.to_str_params() == luigi.Task.to_str_params(task)
    assert task.to_str_params(only_public=True) == luigi.Task.to_str_params(task, only_public=True)
