"""`kart_task.reset()` forgets every per-process cache, and each cache notices what it must notice
without it: a parameter added to a class after its first use, a module loaded after the first run."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import luigi
import pytest

import kart_lock
import kart_storage
import kart_task
from kart_task import _logs, _task_ids, _typing


class _Grows(kart_task.TaskOnKart[Any]):
    first = luigi.Parameter(default="a")


class _GrowsChild(_Grows):
    pass


def _names(cls: type[kart_task.TaskOnKart[Any]]) -> list[str]:
    return [name for name, _ in cls.get_params()]


def test_a_parameter_added_after_the_first_call_is_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "later" not in _names(_Grows)
    assert "later" not in _names(_GrowsChild)
    later = luigi.Parameter(default="b")
    set_name = getattr(later, "__set_name__", None)  # luigi >= 3.7 records its name; 3.6 has no hook
    if set_name is not None:
        set_name(_Grows, "later")  # as a class statement does
    monkeypatch.setattr(_Grows, "later", later, raising=False)
    assert "later" in _names(_Grows)
    assert "later" in _names(_GrowsChild)  # added to a base: the subclass sees it too
    grown: Any = _GrowsChild
    assert grown(later="c").later == "c"  # a parameter the type checker cannot know of
    monkeypatch.delattr(_Grows, "later")
    assert "later" not in _names(_GrowsChild)


def test_a_replaced_parameter_is_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    _Grows.get_params()
    replacement = luigi.Parameter(default="z")
    monkeypatch.setattr(_Grows, "first", replacement)
    assert dict(_Grows.get_params())["first"] is replacement


def test_reset_forgets_every_cache(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> None:
    resets: list[str] = []
    monkeypatch.setattr(kart_storage, "reset", lambda: resets.append("kart_storage"))
    monkeypatch.setattr(kart_lock, "reset", lambda: resets.append("kart_lock"))
    _Grows().make_target("x.csv")  # fills the class caches
    _logs.module_versions_text()
    assert _Grows in _task_ids._params_by_class
    assert _typing._dataframe_type.cache_info().currsize > 0
    assert _logs._last_versions
    kart_task.reset()
    assert _Grows not in _task_ids._params_by_class
    assert _typing._dataframe_type.cache_info().currsize == 0
    assert _logs._last_versions == []
    assert _logs._distributions_by_module.cache_info().currsize == 0
    assert _logs._pinned.cache_info().currsize == 0
    assert resets == ["kart_storage", "kart_lock"]
    assert "first" in _names(_Grows)  # and everything still works afterwards


MODULE_LOADED_LATER = """
import json, sys
import kart_task
from kart_task import _logs

assert "graphviz" not in sys.modules, "pick another module: kart_task loads graphviz"
before = _logs.module_versions_text()
import graphviz
after = _logs.module_versions_text()
kart_task.reset()
again = _logs.module_versions_text()
print(json.dumps({"before": before.split(), "after": after.split(), "again": again.split()}))
"""


def test_a_module_loaded_later_appears_in_the_module_versions(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(MODULE_LOADED_LATER)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    texts = json.loads(done.stdout.strip().splitlines()[-1])
    assert any(line.startswith("luigi==") for line in texts["before"])
    assert not any(line.startswith("graphviz==") for line in texts["before"])
    assert any(line.startswith("graphviz==") for line in texts["after"])
    assert texts["again"] == texts["after"]
