"""Deep TaskInstanceParameter chains let go of their large nested texts (kart_task._task_texts) while every
id and text stays the one gokart's rule gives, computed here from kart-hash's primitives with every text
at hand (the way ids were computed before texts were dropped)."""

from __future__ import annotations

import gc
from typing import Any

import luigi
import pytest

import kart_hash
from kart_task import TaskInstanceParameter, TaskOnKart
from kart_task import _task_texts as texts_module


class TextsStart(TaskOnKart[Any]):
    index: luigi.IntParameter = luigi.IntParameter()


class TextsLink(TaskOnKart[Any]):
    index: luigi.IntParameter = luigi.IntParameter()
    previous: TaskInstanceParameter[Any] = TaskInstanceParameter()


class TextsOwnRequires(TaskOnKart[Any]):
    index: luigi.IntParameter = luigi.IntParameter()
    previous: TaskInstanceParameter[Any] = TaskInstanceParameter()

    def requires(self) -> Any:
        return {"before": self.previous}


def _chain(depth: int, link: type[TaskOnKart[Any]] = TextsLink) -> list[TaskOnKart[Any]]:
    tasks: list[TaskOnKart[Any]] = [TextsStart(index=0)]
    for i in range(1, depth):
        tasks.append(link(index=i, previous=tasks[-1]))
    return tasks


def _reference(tasks: list[TaskOnKart[Any]]) -> tuple[list[str], list[dict[str, str]]]:
    """Ids and significant parameter texts of a chain, by gokart's rule, keeping every text."""
    ids: list[str] = []
    params: list[dict[str, str]] = []
    for level, task in enumerate(tasks):
        own = {"index": str(level)}
        dependencies: list[str] = []
        if level:
            own["previous"] = kart_hash.task_parameter_text(type(tasks[level - 1]).__name__, params[-1])
            dependencies = [ids[-1]]
        params.append(own)
        ids.append(kart_hash.unique_id(dependencies, own, type(task).__name__))
    return ids, params


@pytest.fixture
def small_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Texts count as large from 1,000 characters and every 4th level keeps its own: a 30-deep chain
    then has kept, recent and dropped texts."""
    monkeypatch.setattr(texts_module, "LARGE", 1000)
    monkeypatch.setattr(texts_module, "CHECKPOINT", 4)
    texts_module.reset()


def test_deep_chain_ids_and_texts_equal_the_rule_computed_with_every_text(small_texts: None) -> None:
    tasks = _chain(30)
    ids, params = _reference(tasks)
    assert len(params[-1]["previous"]) > 10 * 1000  # the chain really has large texts
    assert tasks[-1].make_unique_id() == ids[-1]
    assert [task.make_unique_id() for task in tasks] == ids
    for task, expected in zip(reversed(tasks), reversed(params), strict=True):  # root first, as luigi
        assert task.to_str_params(only_significant=True) == expected
        assert task.to_str_params()["previous" if "previous" in expected else "index"] == expected.get(
            "previous", expected["index"]
        )


def test_large_nested_texts_are_not_kept_by_every_holder(small_texts: None) -> None:
    tasks = _chain(30)
    tasks[-1].make_unique_id()
    held = [task.__dict__.get(texts_module.STR_PARAMS_CACHE, {}).get("previous") for task in tasks[1:]]
    large_kept = [text for text in held if text is not None and len(text) >= 1000]
    assert held[0] is not None  # small texts stay where they were
    assert large_kept == []
    own = [task.__dict__.get("_kart_own_text") for task in tasks[:-1]]
    large_own = [text for text in own if text is not None and len(text) >= 1000]
    assert 0 < len(large_own) <= len(tasks) // 4  # only the checkpoints


def test_ids_are_computed_again_when_a_dependency_was_added_after_the_texts(small_texts: None) -> None:
    tasks = _chain(30)
    ids, params = _reference(tasks)
    middle = tasks[20]
    extra = TextsStart(index=99)
    middle.__dict__["extra"] = extra  # a task-valued attribute: a dependency under TaskOnKart's requires()
    expected = kart_hash.unique_id([ids[19], extra.make_unique_id()], params[20], "TextsLink")
    assert middle.make_unique_id() == expected != ids[20]


def test_a_task_with_its_own_requires_gets_the_rule_s_id(small_texts: None) -> None:
    tasks = _chain(30, link=TextsOwnRequires)
    ids, _ = _reference(tasks)
    assert [task.make_unique_id() for task in tasks] == ids


def test_deep_chain_at_the_real_thresholds() -> None:
    """About 170 levels: the last texts pass the real 256 KiB threshold."""
    texts_module.reset()
    tasks = _chain(170)
    ids, params = _reference(tasks)
    assert len(params[-1]["previous"]) > texts_module.LARGE
    assert tasks[-1].make_unique_id() == ids[-1]
    assert tasks[-2].to_str_params(only_significant=True) == params[-2]


def test_recent_texts_keep_within_budget_and_forget_collected_tasks() -> None:
    class Holder:
        """Anything weakly referenceable: the cache keys tasks by identity."""

    recent = texts_module._RecentTexts(budget=10)
    a, b, c = Holder(), Holder(), Holder()
    recent.put(a, "aaaa")
    recent.put(b, "bbbb")
    assert recent.get(a) == "aaaa"  # now the most recent
    recent.put(c, "cccc")
    assert (recent.get(a), recent.get(b), recent.get(c)) == ("aaaa", None, "cccc")
    del a
    gc.collect()
    assert recent._size == 4
