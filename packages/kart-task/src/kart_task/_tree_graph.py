"""The dependency graph as Mermaid flowchart text or Graphviz DOT text, for docs, reviews and CI logs.

Unlike the tree text, a task required from many places is drawn once: one node per distinct task,
one edge from each dependency to each task that needs it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import luigi

import kart_storage

from ._errors import OptionError
from ._tree_walk import shown_in_pre_order, significant_params, walk

COMPLETE = "COMPLETE"
PENDING = "PENDING"


@dataclass(frozen=True)
class _Node:
    node_id: str
    lines: tuple[str, ...]
    complete: bool


@dataclass(frozen=True)
class _Drawing:
    nodes: tuple[_Node, ...]
    edges: tuple[tuple[str, str], ...]  # (dependency id, dependent id)


_CONTROL_NAMES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(text: str) -> str:
    """Control characters as backslash escapes, so a value always stays on its label line."""
    return "".join(
        _CONTROL_NAMES.get(ch, f"\\x{ord(ch):02x}") if ord(ch) < 32 or ord(ch) == 127 else ch for ch in text
    )


def _node_ids(keys: Iterable[str]) -> dict[str, str]:
    """Identifiers valid in both Mermaid and DOT (ASCII letters, digits, `_`), unique per task."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for key in keys:
        base = "t_" + re.sub(r"[^A-Za-z0-9_]", "_", key)
        node_id, suffix = base, 2
        while node_id in used:
            node_id, suffix = f"{base}_{suffix}", suffix + 1
        used.add(node_id)
        ids[key] = node_id
    return ids


def _drawing(task: luigi.Task, with_params: bool, ignore_task_names: Iterable[str] | None) -> _Drawing:
    graph = walk(task)
    keys = shown_in_pre_order(graph, ignore_task_names)
    ids = _node_ids(keys)
    nodes = []
    edges: dict[tuple[str, str], None] = {}
    for key in keys:
        node = graph[key]
        lines = [node.name, node.unique_id, COMPLETE if node.complete else PENDING]
        if with_params:
            lines += [f"{name}={value}" for name, value in significant_params(node.task).items()]
        nodes.append(_Node(ids[key], tuple(_visible(line) for line in lines), node.complete))
        for dep in node.deps:
            if dep in ids:
                edges[(ids[dep], ids[key])] = None
    return _Drawing(tuple(nodes), tuple(edges))


# --- Mermaid -------------------------------------------------------------------------------------

_MERMAID_ENTITIES = {"#": "#35;", '"': "#34;", "&": "#38;", "<": "#60;", ">": "#62;", "`": "#96;"}


def _mermaid_text(text: str) -> str:
    """Mermaid's entity codes for characters that would end or reinterpret a quoted label."""
    return "".join(_MERMAID_ENTITIES.get(ch, ch) for ch in text)


def make_task_info_as_mermaid(
    task: luigi.Task, with_params: bool = False, ignore_task_names: Iterable[str] | None = None
) -> str:
    """A Mermaid `flowchart` of the task's dependencies, dependencies pointing at their dependents."""
    drawing = _drawing(task, with_params, ignore_task_names)
    lines = ["flowchart LR"]
    for node in drawing.nodes:
        label = "<br/>".join(_mermaid_text(line) for line in node.lines)
        lines.append(f'    {node.node_id}["{label}"]')
    lines += [f"    {source} --> {target}" for source, target in drawing.edges]
    lines.append("    classDef complete fill:#d3f9d8,stroke:#2b8a3e")
    lines.append("    classDef pending fill:#fff3bf,stroke:#e67700")
    for status, complete in (("complete", True), ("pending", False)):
        members = [node.node_id for node in drawing.nodes if node.complete is complete]
        if members:
            lines.append(f"    class {','.join(members)} {status}")
    return "\n".join(lines) + "\n"


# --- Graphviz DOT --------------------------------------------------------------------------------


def _dot_text(text: str) -> str:
    """Inside a DOT double-quoted string only `\\` and `"` need escaping (`\\n` etc. are line breaks)."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def make_task_info_as_dot(
    task: luigi.Task, with_params: bool = False, ignore_task_names: Iterable[str] | None = None
) -> str:
    """A Graphviz `digraph` of the task's dependencies, dependencies pointing at their dependents."""
    drawing = _drawing(task, with_params, ignore_task_names)
    lines = [
        "digraph tasks {",
        "    rankdir=LR;",
        '    node [shape=box, style="rounded,filled"];',
    ]
    for node in drawing.nodes:
        label = "\\n".join(_dot_text(line) for line in node.lines)
        color = "#d3f9d8" if node.complete else "#fff3bf"
        lines.append(f'    "{node.node_id}" [label="{label}", fillcolor="{color}"];')
    lines += [f'    "{source}" -> "{target}";' for source, target in drawing.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- files ---------------------------------------------------------------------------------------


def _as_markdown(task: luigi.Task, with_params: bool, ignore: Iterable[str] | None) -> str:
    return "```mermaid\n" + make_task_info_as_mermaid(task, with_params, ignore) + "```\n"


GraphRenderer = Callable[[luigi.Task, bool, Iterable[str] | None], str]

GRAPH_FORMATS: dict[str, GraphRenderer] = {
    ".mmd": make_task_info_as_mermaid,
    ".md": _as_markdown,
    ".dot": make_task_info_as_dot,
    ".gv": make_task_info_as_dot,
}


def dump_task_info_graph(
    task: luigi.Task,
    path: str,
    with_params: bool = False,
    ignore_task_names: Iterable[str] | None = None,
) -> None:
    """Write the graph to `path` (local, `s3://`, `gs://`, `memory://`) as Mermaid (`.mmd`; `.md` in a
    fenced block) or DOT (`.dot`, `.gv`). The path is used as given, without a unique id."""
    extension = os.path.splitext(path)[1]
    renderer = GRAPH_FORMATS.get(extension)
    if renderer is None:
        raise OptionError(
            f"cannot write a task graph to {path!r}: extension {extension!r} is not one of "
            f"{sorted(GRAPH_FORMATS)} (.mmd/.md for Mermaid, .dot/.gv for Graphviz)"
        )
    text = renderer(task, with_params, ignore_task_names)
    with kart_storage.filesystem_for(path).open_write(path) as stream:
        stream.write(text.encode("utf-8"))
