"""The dependency graph as Graphviz DOT (rendered by the real `dot`) and as Mermaid flowchart text."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import luigi
import pytest
from treeproj.tasks import Combine, LayeredRoot, TaskA, TaskC, Value, _DoubleTask, docs_example

import kart_storage
from kart_task._tree_graph import dump_task_info_graph, make_task_info_as_dot, make_task_info_as_mermaid

SVG = "{http://www.w3.org/2000/svg}"
DOCS_UIDS = {
    "66b1c27da8ab88166f2cefff537ce461": "TaskD",
    "4d6dbd52941d26708ae01d52a6453d65": "TaskD",
    "833f36d5c13814b49e82c4ce9584d345": "TaskD",
    "66d4ec7ae14c9eb2ca0db4d835d83ace": "TaskC",
    "7b0a387ef40a9f4fddfd5088736ec71c": "TaskC",
    "169999e765ef9d2a15d91a4dc58c1aac": "TaskB",
    "be65508b556dd3752359b4246791413d": "TaskA",
    "5a824f7d232eb69d46f0ac6bbd93b565": "TaskA",
}
# (dependency, dependent): each pair once, however often the dependency is required.
DOCS_EDGES = {
    ("4d6dbd52941d26708ae01d52a6453d65", "66b1c27da8ab88166f2cefff537ce461"),
    ("833f36d5c13814b49e82c4ce9584d345", "4d6dbd52941d26708ae01d52a6453d65"),
    ("66d4ec7ae14c9eb2ca0db4d835d83ace", "833f36d5c13814b49e82c4ce9584d345"),
    ("7b0a387ef40a9f4fddfd5088736ec71c", "833f36d5c13814b49e82c4ce9584d345"),
    ("be65508b556dd3752359b4246791413d", "66d4ec7ae14c9eb2ca0db4d835d83ace"),
    ("169999e765ef9d2a15d91a4dc58c1aac", "7b0a387ef40a9f4fddfd5088736ec71c"),
    ("5a824f7d232eb69d46f0ac6bbd93b565", "169999e765ef9d2a15d91a4dc58c1aac"),
}
AWKWARD = 'say "hi" \\ back\\N \\l {x}; a\nb <b>#1</b> & `tick` |pipe| [br]'
AWKWARD_SHOWN = 'say "hi" \\ back\\N \\l {x}; a\\nb <b>#1</b> & `tick` |pipe| [br]'  # newline drawn as \n


@pytest.fixture(scope="module")
def dot_binary() -> str:
    found = shutil.which("dot")
    assert found, "the Graphviz `dot` binary is missing: apt-get install graphviz (scripts/test.sh does)"
    return found


def _svg_nodes(dot_text: str) -> tuple[dict[str, list[str]], set[tuple[str, str]], dict[str, str]]:
    """Render with the real `dot`; (node id -> its label lines, edges as id pairs, node id -> fill)."""
    root = ET.fromstring(graphviz.Source(dot_text).pipe(format="svg"))
    nodes: dict[str, list[str]] = {}
    fills: dict[str, str] = {}
    edges: set[tuple[str, str]] = set()
    for group in root.iter(f"{SVG}g"):
        title = group.findtext(f"{SVG}title") or ""
        if group.get("class") == "node":
            nodes[title] = [text.text or "" for text in group.iter(f"{SVG}text")]
            shape = group.find(f"{SVG}path")
            fills[title] = shape.get("fill", "") if shape is not None else ""
        elif group.get("class") == "edge":
            source, target = title.split("->")
            edges.add((source, target))
    return nodes, edges, fills


def test_dot_renders_one_node_per_distinct_task_and_one_edge_per_dependency(
    workspace: Path, dot_binary: str
) -> None:
    nodes, edges, _ = _svg_nodes(make_task_info_as_dot(docs_example()))
    by_uid = {lines[1]: (node_id, lines) for node_id, lines in nodes.items()}
    assert set(by_uid) == set(DOCS_UIDS)
    for uid, name in DOCS_UIDS.items():
        assert by_uid[uid][1] == [name, uid, "PENDING"]
    uid_of = {node_id: lines[1] for node_id, lines in nodes.items()}
    assert {(uid_of[s], uid_of[t]) for s, t in edges} == DOCS_EDGES


def test_dot_labels_escape_quotes_backslashes_and_newlines(workspace: Path, dot_binary: str) -> None:
    task = Combine(left=Value(text=AWKWARD), right=TaskA(param='x"y'))
    dot_text = make_task_info_as_dot(task, with_params=True)
    nodes, edges, _ = _svg_nodes(dot_text)
    labels = {lines[0]: lines for lines in nodes.values()}
    assert labels["Value"][3] == f"text={AWKWARD_SHOWN}"
    assert labels["TaskA"][3] == 'param=x"y'
    assert labels["Combine"][3].startswith("left=Value-")
    assert len(edges) == 2


def test_dot_colours_complete_and_pending_tasks(workspace: Path, dot_binary: str) -> None:
    assert luigi.build([TaskA(param="foo")], local_scheduler=True, log_level="ERROR")
    _, _, fills = _svg_nodes(make_task_info_as_dot(TaskC(task=TaskA(param="foo"))))
    dot_text = make_task_info_as_dot(TaskC(task=TaskA(param="foo")))
    assert 'COMPLETE", fillcolor="#d3f9d8"' in dot_text
    assert sorted(fills.values()) == ["#d3f9d8", "#fff3bf"]


def _parse_mermaid(text: str) -> tuple[dict[str, str], list[tuple[str, str]], dict[str, str]]:
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str]] = []
    classes: dict[str, str] = {}
    for line in lines[1:]:
        if match := re.fullmatch(r'    ([A-Za-z][A-Za-z0-9_]*)\["([^"]*)"\]', line):
            assert match[1] not in nodes, f"node {match[1]} defined twice"
            nodes[match[1]] = match[2]
        elif match := re.fullmatch(r"    ([A-Za-z][A-Za-z0-9_]*) --> ([A-Za-z][A-Za-z0-9_]*)", line):
            edges.append((match[1], match[2]))
        elif match := re.fullmatch(r"    class ([A-Za-z0-9_,]+) (complete|pending)", line):
            classes.update(dict.fromkeys(match[1].split(","), match[2]))
        else:
            assert re.fullmatch(
                r"    classDef (complete|pending) fill:#[0-9a-f]{6},stroke:#[0-9a-f]{6}", line
            ), line
    return nodes, edges, classes


def test_mermaid_has_every_task_and_edge_once_with_valid_ids(workspace: Path) -> None:
    nodes, edges, classes = _parse_mermaid(make_task_info_as_mermaid(docs_example()))
    uid_of = {node_id: label.split("<br/>")[1] for node_id, label in nodes.items()}
    assert sorted(uid_of.values()) == sorted(DOCS_UIDS)
    for node_id, label in nodes.items():
        assert label == f"{DOCS_UIDS[uid_of[node_id]]}<br/>{uid_of[node_id]}<br/>PENDING"
    assert len(edges) == len(set(edges))
    assert all(source in nodes and target in nodes for source, target in edges)
    assert {(uid_of[s], uid_of[t]) for s, t in edges} == DOCS_EDGES
    assert classes == dict.fromkeys(nodes, "pending")


def test_mermaid_labels_escape_everything_that_could_break_them(workspace: Path) -> None:
    task = Combine(left=Value(text=AWKWARD), right=TaskA(param="end"))
    text = make_task_info_as_mermaid(task, with_params=True)
    nodes, edges, _ = _parse_mermaid(text)
    value_label = next(label for label in nodes.values() if label.startswith("Value<br/>"))
    escaped = value_label.split("<br/>")[3]
    assert escaped == (
        "text=say #34;hi#34; \\ back\\N \\l {x}; a\\nb #60;b#62;#35;1#60;/b#62; #38; #96;tick#96; |pipe| [br]"
    )
    assert "<" not in value_label.replace("<br/>", "")
    assert len(edges) == 2


def test_parameters_only_when_asked(workspace: Path) -> None:
    task = TaskC(task=TaskA(param="foo"))
    plain, _, _ = _parse_mermaid(make_task_info_as_mermaid(task))
    detailed, _, _ = _parse_mermaid(make_task_info_as_mermaid(task, with_params=True))
    assert all(label.count("<br/>") == 2 for label in plain.values())
    assert "TaskA<br/>be65508b556dd3752359b4246791413d<br/>PENDING<br/>param=foo" in detailed.values()


def test_ignored_tasks_and_their_subtrees_are_left_out(workspace: Path, dot_binary: str) -> None:
    mermaid_nodes, _, _ = _parse_mermaid(
        make_task_info_as_mermaid(_DoubleTask(), ignore_task_names=["_Task"])
    )
    assert sorted(label.split("<br/>")[0] for label in mermaid_nodes.values()) == ["_DoubleTask", "_SubTask"]
    nodes, edges, _ = _svg_nodes(make_task_info_as_dot(_DoubleTask(), ignore_task_names=["_SubTask"]))
    assert sorted(lines[0] for lines in nodes.values()) == ["_DoubleTask", "_Task"]
    assert len(edges) == 1


def test_a_layered_graph_draws_every_shared_dependency_once(workspace: Path) -> None:
    nodes, edges, _ = _parse_mermaid(make_task_info_as_mermaid(LayeredRoot(levels=20, width=10)))
    assert len(nodes) == 1 + 20 * 10
    assert len(edges) == 10 + 19 * 10 * 2


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("graph.mmd", "mermaid"),
        ("graph.md", "markdown"),
        ("graph.dot", "dot"),
        ("graph.gv", "dot"),
    ],
)
def test_dump_task_info_graph_picks_the_format_by_extension(
    workspace: Path, name: str, expected: str
) -> None:
    task = TaskC(task=TaskA(param="foo"))
    dump_task_info_graph(task, f"out/{name}", with_params=True)
    written = Path("out", name).read_text(encoding="utf-8")
    mermaid = make_task_info_as_mermaid(task, with_params=True)
    wanted = {
        "mermaid": mermaid,
        "markdown": f"```mermaid\n{mermaid}```\n",
        "dot": make_task_info_as_dot(task, with_params=True),
    }[expected]
    assert written == wanted


def test_dump_task_info_graph_to_another_backend(workspace: Path) -> None:
    dump_task_info_graph(TaskA(param="foo"), "memory://graphs/a.dot")
    with kart_storage.filesystem_for("memory://graphs/a.dot").open_read("memory://graphs/a.dot") as stream:
        assert stream.read().decode().startswith("digraph tasks {")


def test_dump_task_info_graph_rejects_other_extensions_naming_the_path(workspace: Path) -> None:
    with pytest.raises(ValueError, match=r"out/graph\.png.*\.png") as excinfo:
        dump_task_info_graph(TaskA(param="foo"), "out/graph.png")
    assert ".mmd" in str(excinfo.value)
    assert not Path("out").exists()
