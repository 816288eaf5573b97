"""run()'s own options: --tree-info-mode simple|all|mermaid|dot, --explain, --delete-unnecessary-output-files.

Each of them ends the process without running a task. Most tests call run() in this process (the
command-line contract itself is covered by a few subprocess runs)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from run_cli import LOCAL, run_cli, run_in_process, task_outputs

from kart_task._tree_info import make_task_info_as_tree_str


def _root(name: str) -> object:
    import runproj.tasks

    return getattr(runproj.tasks, name)()


# --- tree info ------------------------------------------------------------------------------------


def test_tree_info_simple_writes_the_tree_and_runs_nothing(workspace: Path) -> None:
    assert run_in_process("FirstRow", *LOCAL, "--tree-info-mode", "simple") == 0
    text = (workspace / "resources" / "tree.txt").read_text()
    assert text == make_task_info_as_tree_str(_root("FirstRow"))
    assert re.search(r"└─-\(PENDING\) FirstRow\[[0-9a-f]{32}\]", text)
    assert "Source[" in text
    assert task_outputs(workspace) == []


def test_tree_info_all_adds_details(workspace: Path) -> None:
    assert run_in_process("Double", *LOCAL, "--tree-info-mode=all", "--tree-info-output-path", "t.txt") == 0
    text = (workspace / "resources" / "t.txt").read_text()
    assert text == make_task_info_as_tree_str(_root("Double"), details=True)
    assert "parameter={'rows': '3'}" in text
    assert task_outputs(workspace) == []


def test_tree_info_shows_complete_tasks_after_a_run(workspace: Path) -> None:
    assert run_in_process("Double", *LOCAL) == 0
    assert run_in_process("Double", *LOCAL, "--tree-info-mode", "simple") == 0
    assert "(COMPLETE) Double[" in (workspace / "resources" / "tree.txt").read_text()


def test_tree_info_mermaid_writes_tree_mmd_by_default(workspace: Path) -> None:
    assert run_in_process("FirstRow", *LOCAL, "--tree-info-mode", "mermaid") == 0
    text = (workspace / "resources" / "tree.mmd").read_text()
    assert text.startswith("flowchart LR\n")
    assert text.count("-->") == 2
    assert not (workspace / "resources" / "tree.txt").exists()
    assert task_outputs(workspace) == []


def test_tree_info_mermaid_in_markdown(workspace: Path) -> None:
    assert (
        run_in_process("Double", *LOCAL, "--tree-info-mode=mermaid", "--tree-info-output-path=docs/g.md") == 0
    )
    text = (workspace / "resources" / "docs" / "g.md").read_text()
    assert text.startswith("```mermaid\nflowchart LR\n")


def test_tree_info_dot_writes_a_graph_graphviz_can_read(workspace: Path) -> None:
    assert run_in_process("FirstRow", *LOCAL, "--tree-info-mode=dot", "--tree-info-output-path=g.gv") == 0
    text = (workspace / "resources" / "g.gv").read_text()
    assert text.startswith("digraph tasks {")
    assert text.count("->") == 2
    assert task_outputs(workspace) == []
    dot = shutil.which("dot")
    if dot is None:
        pytest.fail("Graphviz's `dot` is not installed (apt-get install graphviz)")
    svg = subprocess.run([dot, "-Tsvg"], input=text, capture_output=True, text=True, check=True).stdout
    assert "FirstRow" in svg
    assert "Source" in svg


def test_tree_info_dot_default_path(workspace: Path) -> None:
    assert run_in_process("Double", *LOCAL, "--tree-info-mode", "dot") == 0
    assert (workspace / "resources" / "tree.dot").read_text().startswith("digraph")


@pytest.mark.parametrize(
    ("mode", "path", "extension"),
    [("dot", "g.png", ".png"), ("mermaid", "g.dot", ".dot"), ("dot", "g.mmd", ".mmd")],
)
def test_tree_info_graph_with_wrong_extension_is_rejected_before_anything(
    workspace: Path, mode: str, path: str, extension: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(extension))) as caught:
        run_in_process("Double", *LOCAL, f"--tree-info-mode={mode}", f"--tree-info-output-path={path}")
    assert repr(path) in str(caught.value)
    assert mode in str(caught.value)
    assert not (workspace / "resources").exists()


def test_tree_info_text_with_unsupported_extension_is_rejected_before_anything(workspace: Path) -> None:
    with pytest.raises(Exception, match=r"\.xyz"):
        run_in_process("Double", *LOCAL, "--tree-info-mode=simple", "--tree-info-output-path=t.xyz")
    assert not (workspace / "resources").exists()


def test_unknown_tree_info_mode_is_rejected(workspace: Path) -> None:
    with pytest.raises(ValueError, match=r'--tree-info-mode must be .*but "fancy" is passed'):
        run_in_process("Double", *LOCAL, "--tree-info-mode", "fancy")
    assert task_outputs(workspace) == []


def test_unsupported_extension_on_the_command_line_exits_1(tmp_path: Path) -> None:
    result = run_cli(
        tmp_path, "Double", *LOCAL, "--tree-info-mode", "dot", "--tree-info-output-path", "g.png"
    )
    assert result.returncode == 1
    assert "'.png'" in result.stderr
    assert "'g.png'" in result.stderr
    assert not (tmp_path / "resources").exists()


# --- explain ------------------------------------------------------------------------------------------


def test_explain_prints_reasons_and_runs_nothing(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_in_process("FirstRow", *LOCAL, "--explain") == 0
    out = capsys.readouterr().out
    assert out.startswith("3 tasks would run:")
    assert re.search(r"Source\[[0-9a-f]{32}\]\n  - output missing: ", out)
    assert "- a dependency will run: Double[" in out
    assert not (workspace / "resources").exists()


def test_explain_after_a_run_says_nothing_would_run(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_in_process("Double", *LOCAL) == 0
    capsys.readouterr()
    assert run_in_process("Double", *LOCAL, "--explain") == 0
    assert capsys.readouterr().out.startswith("Nothing would run")


def test_explain_names_rerun(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_in_process("Double", *LOCAL) == 0
    before = task_outputs(workspace)
    capsys.readouterr()
    assert run_in_process("Double", *LOCAL, "--rerun", "--explain") == 0
    out = capsys.readouterr().out
    assert out.startswith("1 task would run:")
    assert "rerun=True" in out
    assert task_outputs(workspace) == before  # nothing deleted


def test_explain_as_kart_config_option(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_in_process("Double", *LOCAL, "--kart-explain") == 0
    assert capsys.readouterr().out.startswith("2 tasks would run:")
    assert task_outputs(workspace) == []


def test_explain_on_the_command_line(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "Double", *LOCAL, "--explain")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2 tasks would run:")
    assert task_outputs(tmp_path) == []


# --- delete unnecessary outputs ---------------------------------------------------------------------


def test_delete_unnecessary_output_files_keeps_needed_outputs(workspace: Path) -> None:
    assert run_in_process("FirstRow", *LOCAL) == 0
    stale = workspace / "resources" / "runproj" / "stale_0123.pkl"
    stale.write_bytes(b"old")
    log_file = workspace / "resources" / "log" / "keep.txt"
    log_file.write_text("log")
    assert run_in_process("Total", *LOCAL, "--delete-unnecessary-output-files") == 0
    names = task_outputs(workspace)
    assert [name.split("_")[0] for name in names] == ["double", "source"]  # first_row and stale gone
    assert log_file.exists()
    assert run_in_process("Total", *LOCAL) == 0  # the kept caches are used as they are
    assert [name.split("_")[0] for name in task_outputs(workspace)] == ["double", "source", "total"]


def test_delete_unnecessary_output_files_runs_nothing(workspace: Path) -> None:
    assert run_in_process("Double", *LOCAL, "--delete-unnecessary-output-files") == 0
    assert task_outputs(workspace) == []
