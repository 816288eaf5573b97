# ruff: noqa: E501  (the embedded scripts are kept readable as whole lines)
"""Classes and functions reached through the meta-package report gokart 1.12.2's qualified names, so logs,
pickles and tooling written against gokart keep working; module-level lists and warnings in upstream's
shape (checked by running the same script on upstream gokart and on kart's gokart)."""

from __future__ import annotations

import base64
import functools
import importlib
import json
import logging
import sys
from pathlib import Path

import luigi
import pytest
import slack_sdk

import gokart
from _upstream import last_json, run_here, run_upstream
from gokart import _names

sys.path.insert(0, str(Path(__file__).parents[1] / "kart_notify"))

from slack_standin import VALID_TOKEN, SlackStandIn

# Every module of spec/api_surface.md §2 (gokart.mypy aside: it needs mypy and is another change's).
SPEC_MODULES = [
    "gokart",
    "gokart.build",
    "gokart.run",
    "gokart.task",
    "gokart.parameter",
    "gokart.target",
    "gokart.file_processor",
    "gokart.file_processor.base",
    "gokart.file_processor.pandas",
    "gokart.file_processor.polars",
    "gokart.conflict_prevention_lock.task_lock",
    "gokart.conflict_prevention_lock.task_lock_wrappers",
    "gokart.pandas_type_config",
    "gokart.errors",
    "gokart.config_params",
    "gokart.utils",
    "gokart.testing",
    "gokart.testing.check_if_run_with_empty_data_frame",
    "gokart.testing.pandas_assert",
    "gokart.workspace_management",
    "gokart.worker",
    "gokart.slack",
    "gokart.slack.event_aggregator",
    "gokart.slack.slack_api",
    "gokart.slack.slack_config",
    "gokart.object_storage",
    "gokart.zip_client",
    "gokart.zip_client_util",
    "gokart.s3_zip_client",
    "gokart.gcs_zip_client",
    "gokart.s3_config",
    "gokart.gcs_config",
    "gokart.gcs_obj_metadata_client",
    "gokart.required_task_output",
    "gokart.task_complete_check",
    "gokart.in_memory",
    "gokart.in_memory.data",
    "gokart.in_memory.repository",
    "gokart.in_memory.target",
    "gokart.info",
    "gokart.tree.task_info",
    "gokart.tree.task_info_formatter",
]

QUALIFIED_NAMES = """
import importlib, inspect, json, sys
out = {}
for name in sys.argv[1:]:
    module = importlib.import_module(name)
    for attr, value in vars(module).items():
        if attr.startswith("__") or not (inspect.isclass(value) or inspect.isfunction(value)):
            continue
        home = getattr(value, "__module__", "") or ""
        if home.startswith(("gokart", "kart")):
            out[f"{name}:{attr}"] = [home, value.__qualname__, "class" if inspect.isclass(value) else "function"]
print(json.dumps(out, sort_keys=True))
"""


def test_classes_and_functions_report_upstreams_qualified_names() -> None:
    upstream = last_json(run_upstream(QUALIFIED_NAMES, *SPEC_MODULES))
    here = last_json(run_here(QUALIFIED_NAMES, *SPEC_MODULES))
    wrong = {
        key: (here[key], theirs)
        for key, theirs in upstream.items()
        if key in here and here[key][:2] != theirs[:2]
    }
    assert wrong == {}
    classes = [key for key, theirs in upstream.items() if theirs[2] == "class" and key in here]
    assert len(classes) > 80  # the comparison covered the spec's tables, not a handful


@pytest.mark.parametrize("module_name", sorted(_names.GOKART_HOMES))
def test_every_renamed_object_resolves_from_its_gokart_module(module_name: str) -> None:
    """What pickle and tooling do with a qualified name: import the module, look the name up, same object."""
    module = importlib.import_module(module_name)
    for obj in _names.GOKART_HOMES[module_name]:
        qualname = obj.__qualname__  # type: ignore[attr-defined]
        assert obj.__module__ == module_name, qualname  # type: ignore[attr-defined]
        assert getattr(module, qualname) is obj, f"{module_name}.{qualname}"


PICKLES = """
import base64, json, pickle, sys
import gokart
from gokart.build import TaskDumpMode
from gokart.pandas_type_config import PandasTypeError
from gokart.conflict_prevention_lock.task_lock import TaskLockException, make_task_lock_params
from gokart.task import EmptyDumpError
from gokart.required_task_output import RequiredTaskOutput

values = {
    "PandasTypeError": PandasTypeError("column a is int64, expected float"),
    "TaskLockException": TaskLockException("locked by another worker"),
    "EmptyDumpError": EmptyDumpError("empty"),
    "TaskDumpMode": TaskDumpMode.TREE,
    "TaskLockParams": make_task_lock_params(file_path="a/b.pkl", unique_id="u", redis_host="h", redis_port=1),
    "classes": [gokart.TaskOnKart, gokart.TaskInstanceParameter, gokart.PandasTypeConfig],
}
if sys.argv[1] == "dump":
    print(json.dumps({k: base64.b64encode(pickle.dumps(v, protocol=4)).decode() for k, v in values.items()}))
else:
    loaded = {k: pickle.loads(base64.b64decode(v)) for k, v in json.loads(sys.argv[2]).items()}
    out = {}
    for key, value in loaded.items():
        shown = value if key == "classes" else [value]
        out[key] = [[type(v).__module__ if not isinstance(v, type) else v.__module__,
                     type(v).__qualname__ if not isinstance(v, type) else v.__qualname__, str(v)] for v in shown]
    print(json.dumps(out, sort_keys=True))
"""


@pytest.mark.parametrize(("writer", "reader"), [("kart", "upstream"), ("upstream", "kart")])
def test_pickled_gokart_objects_cross_between_kart_and_upstream(writer: str, reader: str) -> None:
    sides = {"upstream": run_upstream, "kart": run_here}
    written = sides[writer](PICKLES, "dump").strip().splitlines()[-1]
    read = last_json(sides[reader](PICKLES, "load", written))
    expected = last_json(sides[writer](PICKLES, "load", written))
    assert read == expected
    assert read["PandasTypeError"][0][:2] == ["gokart.pandas_type_config", "PandasTypeError"]
    assert [c[1] for c in read["classes"]] == ["TaskOnKart", "TaskInstanceParameter", "PandasTypeConfig"]
    assert base64.b64decode(json.loads(written)["EmptyDumpError"]).count(b"gokart.task") == 1


def test_reset_register_keeps_gokarts_renamed_classes_and_drops_user_tasks() -> None:
    register = luigi.task_register.Register
    saved = list(register._reg)  # type: ignore[attr-defined]

    class UserTaskForResetTest(gokart.TaskOnKart):  # type: ignore[type-arg]
        pass

    try:
        assert gokart.TaskOnKart.__module__ == "gokart.task"
        assert gokart.PandasTypeConfig.__module__ == "gokart.pandas_type_config"
        sys.modules["gokart.build"]._reset_register()
        for family in ("TaskOnKart", "tree_info", "test_run", "gokart_worker", "PandasTypeConfig"):
            assert register.get_task_cls(family) is not None
        assert UserTaskForResetTest not in register._reg  # type: ignore[attr-defined]
    finally:
        register._reg = saved  # type: ignore[attr-defined]


OUTPUT_PATHS = """
import json
import gokart

class MyTask(gokart.TaskOnKart):
    pass

print(json.dumps([gokart.TaskOnKart().output().path(), MyTask().output().path(), gokart.TaskOnKart.__module__]))
"""


def test_default_output_paths_stay_upstreams(tmp_path: Path) -> None:
    upstream = last_json(run_upstream(OUTPUT_PATHS, cwd=tmp_path))
    here = last_json(run_here(OUTPUT_PATHS, cwd=tmp_path))
    assert here == upstream
    assert here[0] == "./resources/gokart/task/TaskOnKart_7757badf81370beccb26f204c5bddba5.pkl"
    assert here[1].startswith("./resources/__main__/MyTask_")


ALL_LISTS = """
import json
import gokart, gokart.testing, gokart.slack, gokart.file_processor, gokart.in_memory, gokart.errors
print(json.dumps({m.__name__: m.__all__ for m in [gokart, gokart.testing, gokart.slack, gokart.file_processor,
                                                    gokart.in_memory, gokart.errors]}))
"""


def test_all_lists_are_in_upstreams_order() -> None:
    upstream = last_json(run_upstream(ALL_LISTS))
    here = last_json(run_here(ALL_LISTS))
    assert here == upstream
    assert here["gokart.testing"] == [
        "test_run",
        "try_to_run_test_for_empty_data_frame",
        "assert_frame_contents_equal",
    ]


SLACK_WARNINGS = """
import functools, json, logging, sys
import gokart.slack.slack_api as slack_api

records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append([record.name, record.levelname, record.getMessage().replace(sys.argv[1], "<standin>/")])
logging.getLogger("gokart.slack.slack_api").addHandler(Keep())

# the patch target gokart's own tests use
slack_api.slack_sdk.WebClient = functools.partial(slack_api.slack_sdk.WebClient, base_url=sys.argv[1])
slack_api.SlackAPI(token="xoxb-not-valid", channel="general", to_user="")
slack_api.SlackAPI(token=sys.argv[2], channel="no-such-channel", to_user="someone")
print(json.dumps(records))
"""


def test_slack_api_warnings_are_upstreams_text(slack: SlackStandIn) -> None:
    upstream = last_json(run_upstream(SLACK_WARNINGS, slack.base_url, VALID_TOKEN))
    here = last_json(run_here(SLACK_WARNINGS, slack.base_url, VALID_TOKEN))
    assert here == upstream
    assert here[0][2].startswith(
        "The job will start without slack notification: The request to the Slack API"
    )
    assert here[1][2] == (
        "The job will start without slack notification: Channel no-such-channel is not found in public channels."
    )


def test_slack_send_failure_is_a_warning_in_upstreams_words(
    slack: SlackStandIn, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kart posts with files_upload_v2 (Slack shut files.upload down), so the failing call differs from
    upstream's; the warning keeps gokart's wording."""
    import gokart.slack.slack_api as slack_api

    monkeypatch.setattr(
        slack_api.slack_sdk, "WebClient", functools.partial(slack_sdk.WebClient, base_url=slack.base_url)
    )
    api = slack_api.SlackAPI(token="xoxb-not-valid", channel="general", to_user="")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="gokart.slack.slack_api"):
        api.send_snippet(comment="c", title="t", content="x")
    [record] = caplog.records
    assert record.getMessage().startswith("Failed to send slack notification: ")
    assert "invalid_auth" in record.getMessage()


BUILD_ERROR_PICKLE = """
import base64, json, pickle, sys
import gokart
from gokart.build import GokartBuildError

if sys.argv[1] == "dump":
    error = GokartBuildError("task failed", {"0123abcd": [ValueError("bad row")]})
    print(base64.b64encode(pickle.dumps(error)).decode())
else:
    error = pickle.loads(base64.b64decode(sys.argv[2]))
    raised = {key: [[type(e).__name__, str(e)] for e in value] for key, value in error.raised_exceptions.items()}
    print(json.dumps([type(error).__module__, type(error).__qualname__, str(error), raised]))
"""


def test_a_pickled_build_error_keeps_its_raised_exceptions_on_both_sides() -> None:
    """gokart 1.12.2's GokartBuildError cannot be unpickled (its mapping is a required argument Exception
    does not pickle); kart's carries it, and upstream's class reads kart's pickle."""
    written = run_here(BUILD_ERROR_PICKLE, "dump").strip().splitlines()[-1]
    expected = ["gokart.build", "GokartBuildError", "task failed", {"0123abcd": [["ValueError", "bad row"]]}]
    assert last_json(run_here(BUILD_ERROR_PICKLE, "load", written)) == expected
    assert last_json(run_upstream(BUILD_ERROR_PICKLE, "load", written)) == expected


TYPE_HINTS = """
import json, typing
import luigi
import gokart

class Typed(gokart.TaskOnKart[int]):
    x: int = luigi.IntParameter()

print(json.dumps({
    "user": sorted(typing.get_type_hints(Typed)),
    "x": typing.get_type_hints(Typed)["x"].__name__,
    "base": sorted(typing.get_type_hints(gokart.TaskOnKart)),
}))
"""


@pytest.mark.upstream  # luigi's own annotations differ by version: compared on the same luigi only
def test_type_hints_of_renamed_classes_still_resolve() -> None:
    """Renaming TaskOnKart's module to gokart.task must not break typing.get_type_hints (pydantic,
    typer, docs tools call it on users' task classes); upstream's names are all there."""
    here = last_json(run_here(TYPE_HINTS))
    upstream = last_json(run_upstream(TYPE_HINTS))
    assert here["x"] == upstream["x"] == "int"
    assert set(upstream["user"]) <= set(here["user"])
    assert set(upstream["base"]) <= set(here["base"])
