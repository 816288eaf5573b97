"""Task information: the tree text of shared/spec/build_run.md 5.2 exactly, the table, the dumps."""

from __future__ import annotations

import os
import pickle
import re
from pathlib import Path
from typing import Any

import luigi
import pandas as pd
import pytest
from treeproj.tasks import (
    AlwaysDone,
    GeneratorRequires,
    LayeredRoot,
    TaskA,
    TaskB,
    TaskC,
    _DoubleTask,
    _SubTask,
    _Task,
    docs_example,
)

import kart_storage
import kart_task
from kart_task._tree_formatter import (
    RequiredTask,
    TaskInfo,
    _make_requires_info,
    make_task_info_tree,
    make_tree_info_table_list,
)
from kart_task._tree_info import (
    dump_task_info_table,
    dump_task_info_tree,
    make_task_info_as_table,
    make_task_info_as_tree_str,
)
from kart_task._tree_legacy import make_tree_info, tree_info

# spec 5.1/5.3: the fields of TaskInfo.task_info_dict() and the table columns, in this order
COLUMNS = [
    "name",
    "unique_id",
    "output_paths",
    "params",
    "processing_time",
    "is_complete",
    "task_log",
    "requires",
]

DOCS_TREE = """
└─-(PENDING) TaskD[66b1c27da8ab88166f2cefff537ce461]
   |--(PENDING) TaskD[4d6dbd52941d26708ae01d52a6453d65]
   |  |--(PENDING) TaskD[833f36d5c13814b49e82c4ce9584d345]
   |  |  |--(PENDING) TaskC[66d4ec7ae14c9eb2ca0db4d835d83ace]
   |  |  |  └─-(PENDING) TaskA[be65508b556dd3752359b4246791413d]
   |  |  └─-(PENDING) TaskC[7b0a387ef40a9f4fddfd5088736ec71c]
   |  |     └─-(PENDING) TaskB[169999e765ef9d2a15d91a4dc58c1aac]
   |  |        └─-(PENDING) TaskA[5a824f7d232eb69d46f0ac6bbd93b565]
   |  └─-(PENDING) TaskD[833f36d5c13814b49e82c4ce9584d345]
   |     └─- ...
   └─-(PENDING) TaskD[4d6dbd52941d26708ae01d52a6453d65]
      └─- ..."""

# The TaskD[833f...] subtree, at the indentation of its first appearance (`|  |--`).
QUARTER = [
    "TaskD[833f36d5c13814b49e82c4ce9584d345]",
    "   |--(PENDING) TaskC[66d4ec7ae14c9eb2ca0db4d835d83ace]",
    "   |  └─-(PENDING) TaskA[be65508b556dd3752359b4246791413d]",
    "   └─-(PENDING) TaskC[7b0a387ef40a9f4fddfd5088736ec71c]",
    "      └─-(PENDING) TaskB[169999e765ef9d2a15d91a4dc58c1aac]",
    "         └─-(PENDING) TaskA[5a824f7d232eb69d46f0ac6bbd93b565]",
]


def _quarter(prefix: str, last: bool) -> str:
    head = f"\n{prefix}{'└─-' if last else '|--'}(PENDING) " + QUARTER[0]
    under = prefix + ("   " if last else "|  ")
    return head + "".join(f"\n{under}{line[3:]}" for line in QUARTER[1:])


def _expanded_docs_tree() -> str:
    text = "\n└─-(PENDING) TaskD[66b1c27da8ab88166f2cefff537ce461]"
    for half_prefix, half_last in (("   ", False), ("   ", True)):
        text += (
            f"\n{half_prefix}{'└─-' if half_last else '|--'}(PENDING) TaskD[4d6dbd52941d26708ae01d52a6453d65]"
        )
        inner = half_prefix + ("   " if half_last else "|  ")
        text += _quarter(inner, last=False) + _quarter(inner, last=True)
    return text


def _build(task: luigi.Task) -> None:
    assert luigi.build([task], local_scheduler=True, log_level="ERROR")


def _module_dir() -> str:
    return "./resources/treeproj/tasks"


# --- the exact text format ---------------------------------------------------------------------


def test_docs_example_tree_is_exactly_the_spec_text(workspace: Path) -> None:
    assert make_task_info_as_tree_str(docs_example()) == DOCS_TREE


def test_docs_example_without_abbreviation_expands_every_repeated_subtree(workspace: Path) -> None:
    text = make_task_info_as_tree_str(docs_example(), abbr=False)
    assert text == _expanded_docs_tree()
    assert "..." not in text
    assert text.count("TaskA[be65508b556dd3752359b4246791413d]") == 4


def test_details_before_running_show_unknown_time_and_empty_log(workspace: Path) -> None:
    task = TaskC(task=TaskA(param="foo"))
    expected = (
        "\n└─-(PENDING) TaskC[66d4ec7ae14c9eb2ca0db4d835d83ace]"
        "(parameter={'task': 'TaskA-be65508b556dd3752359b4246791413d'}, "
        f"output=['{_module_dir()}/TaskC_66d4ec7ae14c9eb2ca0db4d835d83ace.pkl'], time=unknown, task_log={{}})"
        "\n   └─-(PENDING) TaskA[be65508b556dd3752359b4246791413d]"
        "(parameter={'param': 'foo'}, "
        f"output=['{_module_dir()}/TaskA_be65508b556dd3752359b4246791413d.pkl'], time=unknown, task_log={{}})"
    )
    assert make_task_info_as_tree_str(task, details=True) == expected


def test_details_after_a_build_show_complete_time_and_task_log(workspace: Path) -> None:
    task = TaskC(task=TaskA(param="foo"))
    _build(task)
    text = make_task_info_as_tree_str(task, details=True)
    c_path = f"{_module_dir()}/TaskC_66d4ec7ae14c9eb2ca0db4d835d83ace.pkl"
    a_path = f"{_module_dir()}/TaskA_be65508b556dd3752359b4246791413d.pkl"
    pattern = (
        r"\n└─-\(COMPLETE\) TaskC\[66d4ec7ae14c9eb2ca0db4d835d83ace\]"
        r"\(parameter=\{'task': 'TaskA-be65508b556dd3752359b4246791413d'\}, "
        rf"output=\['{re.escape(c_path)}'\], time=[0-9.e-]+s, "
        rf"task_log=\{{'file_path': \['{re.escape(c_path)}'\]\}}\)"
        r"\n   └─-\(COMPLETE\) TaskA\[be65508b556dd3752359b4246791413d\]"
        r"\(parameter=\{'param': 'foo'\}, "
        rf"output=\['{re.escape(a_path)}'\], time=[0-9.e-]+s, "
        rf"task_log=\{{'file_path': \['{re.escape(a_path)}'\]\}}\)$"
    )
    assert re.fullmatch(pattern, text), text


def test_ignored_task_names_drop_those_tasks_and_their_subtrees(workspace: Path) -> None:
    text = make_task_info_as_tree_str(_DoubleTask(), ignore_task_names=["_Task"])
    assert re.fullmatch(
        r"\n└─-\(PENDING\) _DoubleTask\[[a-z0-9]*\]\n   └─-\(PENDING\) _SubTask\[[a-z0-9]*\]", text
    )
    shown = make_task_info_as_tree_str(_Task(), ignore_task_names=["_Task"])
    assert re.fullmatch(
        r"\n└─-\(PENDING\) _Task\[[a-z0-9]*\]\n   └─-\(PENDING\) _SubTask\[[a-z0-9]*\]", shown
    )


def test_ignoring_the_only_child_leaves_the_root_alone(workspace: Path) -> None:
    text = make_task_info_as_tree_str(_Task(), ignore_task_names=["_SubTask"])
    assert re.fullmatch(r"\n└─-\(PENDING\) _Task\[[a-z0-9]{32}\]", text)


# --- the data model ----------------------------------------------------------------------------


def test_repeated_subtrees_are_one_shared_object(workspace: Path) -> None:
    tree = make_task_info_tree(docs_example())
    left, right = tree.children_task_infos
    assert left is right
    first, second = left.children_task_infos
    assert first is second
    assert first.get_task_id() == "TaskD_833f36d5c13814b49e82c4ce9584d345"
    assert first.get_task_title() == "(PENDING) TaskD[833f36d5c13814b49e82c4ce9584d345]"


def test_task_info_fields_and_requires_structure(workspace: Path) -> None:
    tree = make_task_info_tree(_DoubleTask())
    assert list(tree.task_info_dict()) == COLUMNS
    assert tree.requires == {
        "taskA": RequiredTask("_Task", _Task(param=1).make_unique_id()),
        "taskB": RequiredTask("_SubTask", _SubTask().make_unique_id()),
    }
    assert [child.name for child in tree.children_task_infos] == ["_Task", "_SubTask"]
    assert tree.processing_time == "unknown"


def test_requires_info_maps_tasks_dicts_and_iterables() -> None:
    leaf = TaskA(param="x")
    uid = leaf.make_unique_id()
    assert _make_requires_info(leaf) == RequiredTask("TaskA", uid)
    assert _make_requires_info({"k": [leaf]}) == {"k": [RequiredTask("TaskA", uid)]}
    assert _make_requires_info(t for t in [leaf, leaf]) == [RequiredTask("TaskA", uid)] * 2
    with pytest.raises(TypeError) as excinfo:
        _make_requires_info(1)
    assert str(excinfo.value) == (
        "`requires` has unexpected type <class 'int'>. Must be `TaskOnKart`, "
        "`Iterarble[TaskOnKart]`, or `Dict[str, TaskOnKart]`"
    )


def test_requires_written_as_a_generator_is_listed_and_walked(workspace: Path) -> None:
    tree = make_task_info_tree(GeneratorRequires())
    assert tree.requires == [
        RequiredTask("TaskA", TaskA(param="g1").make_unique_id()),
        RequiredTask("TaskA", TaskA(param="g2").make_unique_id()),
    ]
    assert [child.params for child in tree.children_task_infos] == [{"param": "g1"}, {"param": "g2"}]


def test_table_has_one_row_per_distinct_task_in_pre_order(workspace: Path) -> None:
    table = make_task_info_as_table(docs_example())
    assert list(table.columns) == COLUMNS
    assert list(table["name"]) == ["TaskD", "TaskD", "TaskD", "TaskC", "TaskA", "TaskC", "TaskB", "TaskA"]
    assert table["unique_id"].is_unique
    assert set(table["is_complete"]) == {"PENDING"}


def test_table_list_skips_tasks_already_visited(workspace: Path) -> None:
    tree = make_task_info_tree(TaskC(task=TaskA(param="foo")))
    assert make_tree_info_table_list(tree, {"TaskC_66d4ec7ae14c9eb2ca0db4d835d83ace"}) == []
    rows = make_tree_info_table_list(tree, {"TaskA_be65508b556dd3752359b4246791413d"})
    assert [row["name"] for row in rows] == ["TaskC"]


# --- completeness without side effects, checked in one batch -----------------------------------


def test_existence_of_the_whole_graph_is_one_exists_many_call(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = docs_example()
    _build(TaskC(task=TaskA(param="foo")))
    calls: list[int] = []
    original = kart_storage.exists_many

    def counting(targets: Any) -> list[bool]:
        items = list(targets)
        calls.append(len(items))
        return original(items)

    def no_single_checks(self: Any, *args: Any) -> bool:
        raise AssertionError(f"exists() called on {self!r}: existence must be asked in one batch")

    monkeypatch.setattr(kart_storage, "exists_many", counting)
    # a target class whose exists() is replaced is asked one by one (users patch it), so the check is
    # made one level down: the batch must not fall back to single file-system lookups either
    monkeypatch.setattr(kart_storage.LocalFileSystem, "exists", no_single_checks)
    table = make_task_info_as_table(task)
    assert calls == [8 * 3]  # one output, one processing-time and one task-log file per distinct task
    complete = dict(zip(table["unique_id"], table["is_complete"], strict=True))
    assert complete["66d4ec7ae14c9eb2ca0db4d835d83ace"] == "COMPLETE"
    assert complete["be65508b556dd3752359b4246791413d"] == "COMPLETE"
    assert complete["5a824f7d232eb69d46f0ac6bbd93b565"] == "PENDING"


def test_rerun_tasks_show_pending_and_keep_their_outputs(workspace: Path) -> None:
    _build(TaskA(param="r"))
    luigi.task_register.Register.clear_instance_cache()
    task = TaskA(param="r", rerun=True)
    output = Path(task.output().path())
    assert output.exists()
    assert "(PENDING) TaskA" in make_task_info_as_tree_str(task)
    assert output.exists()  # gokart 1.12 deleted the outputs just to draw the tree


def test_strict_check_makes_a_task_with_a_missing_dependency_pending(workspace: Path) -> None:
    task = TaskB(task=TaskA(param="s"), strict_check=True)
    _build(task)
    os.remove(TaskA(param="s").output().path())
    table = make_task_info_as_table(task)
    assert list(table["is_complete"]) == ["PENDING", "PENDING"]
    loose = TaskB(task=TaskA(param="s"))
    assert list(make_task_info_as_table(loose)["is_complete"]) == ["COMPLETE", "PENDING"]


def test_modification_time_check_makes_a_task_with_a_newer_input_pending(workspace: Path) -> None:
    task = TaskB(task=TaskA(param="m"), modification_time_check=True)
    _build(task)
    assert list(make_task_info_as_table(task)["is_complete"]) == ["COMPLETE", "COMPLETE"]
    newer = os.path.getmtime(task.output().path()) + 100
    os.utime(TaskA(param="m").output().path(), (newer, newer))
    assert list(make_task_info_as_table(task)["is_complete"]) == ["PENDING", "COMPLETE"]


def test_a_custom_complete_method_is_respected(workspace: Path) -> None:
    assert "(COMPLETE) AlwaysDone" in make_task_info_as_tree_str(AlwaysDone())


# --- large trees -------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_5000_task_tree_builds_once_per_distinct_task(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = LayeredRoot(levels=50, width=100)
    root.make_unique_id()
    get_info_calls: list[str] = []
    original = kart_task.TaskOnKart.get_info

    def counting(self: kart_task.TaskOnKart[Any], only_significant: bool = False) -> dict[str, str]:
        get_info_calls.append(self.make_unique_id())
        return original(self, only_significant=only_significant)

    monkeypatch.setattr(kart_task.TaskOnKart, "get_info", counting)
    tree = make_task_info_tree(root)
    assert len(get_info_calls) == len(set(get_info_calls)) == 5001
    rows = make_tree_info_table_list(tree, set())
    assert len(rows) == 5001
    text = make_task_info_as_tree_str(root)
    lines = text.split("\n")[1:]
    # 9,900 edges (100 from the root, two from each of the 4,900 Layer tasks above level 0) give one
    # title line each, plus the root; the 4,900 tasks below the top layer are each reached twice, so
    # their second appearance is abbreviated with one `...` line.
    assert len(lines) == 1 + 9900 + 4900
    assert sum(1 for line in lines if line.endswith("└─- ...")) == 4900


# --- dumps -------------------------------------------------------------------------------------


def test_dump_task_info_table_writes_csv_with_the_task_id(workspace: Path) -> None:
    task = TaskC(task=TaskA(param="foo"))
    dump_task_info_table(task, "info/table.csv")
    written = pd.read_csv("info/table_66d4ec7ae14c9eb2ca0db4d835d83ace.csv")
    assert list(written["name"]) == ["TaskC", "TaskA"]
    assert list(written.columns)[:2] == ["name", "unique_id"]


def test_dump_task_info_table_on_the_memory_backend(workspace: Path) -> None:
    task = TaskA(param="mem")
    dump_task_info_table(task, "memory://info/table.pkl")
    loaded = kart_storage.make_target("memory://info/table.pkl", unique_id=task.make_unique_id()).load()
    assert list(loaded["name"]) == ["TaskA"]


def test_dump_task_info_table_rejects_unknown_extensions_before_walking(workspace: Path) -> None:
    class Exploding(kart_task.TaskOnKart[Any]):
        def requires(self) -> Any:
            if self.task_unique_id is not None:
                raise RuntimeError("the graph was walked")
            return []

    task = Exploding()
    task.make_unique_id()
    with pytest.raises(kart_storage.UnsupportedExtensionError, match=r"\.xyz"):
        dump_task_info_table(task, "info/table.xyz")
    assert not Path("info").exists()


def test_dump_task_info_tree_pickles_the_task_info_objects(workspace: Path) -> None:
    task = _DoubleTask()
    dump_task_info_tree(task, "info/tree.pkl")
    with open(f"info/tree_{task.make_unique_id()}.pkl", "rb") as stream:
        tree = pickle.load(stream)
    assert isinstance(tree, TaskInfo)
    assert tree.name == "_DoubleTask"
    assert tree.children_task_infos[0].name == "_Task"
    assert set(tree.requires) == {"taskA", "taskB"}
    assert isinstance(tree.requires["taskA"], RequiredTask)
    assert tree.requires["taskA"].name == "_Task"


def test_dump_task_info_tree_without_unique_id_uses_the_path_as_given(workspace: Path) -> None:
    dump_task_info_tree(TaskA(param="p"), "info/tree.pkl", use_unique_id=False)
    with open("info/tree.pkl", "rb") as stream:
        assert pickle.load(stream).name == "TaskA"


def test_dump_task_info_tree_requires_pkl(workspace: Path) -> None:
    with pytest.raises(AssertionError) as excinfo:
        dump_task_info_tree(TaskA(param="p"), "info/tree.csv")
    assert str(excinfo.value) == "File extention must be `.pkl`, not `.csv`."
    assert not Path("info").exists()


# --- gokart.info ---------------------------------------------------------------------------------


def test_legacy_make_tree_info_equals_the_tree_string(workspace: Path) -> None:
    task = docs_example()
    assert make_tree_info(task, indent="xx", last=False, visited_tasks={"a"}) == DOCS_TREE
    assert make_tree_info(task, details=True, abbr=False) == make_task_info_as_tree_str(
        task, details=True, abbr=False
    )


def test_tree_info_config_task_defaults_and_output(workspace: Path) -> None:
    config = tree_info()
    assert config.mode == ""
    assert config.output_path == "tree.txt"
    assert config.output().path() == "./resources/tree.txt"
    assert tree_info.get_task_family() == "tree_info"
