"""Cross-check with the real gokart 1.12.2: tasks defined there, ids computed here from their parts."""

from __future__ import annotations

import pytest

from _upstream import run_upstream_json
from kart_hash import task_list_parameter_text, task_parameter_text, unique_id

SCRIPT = """
import json, luigi, gokart

class Leaf(gokart.TaskOnKart):
    n = luigi.IntParameter(default=1)

class Pair(gokart.TaskOnKart):
    left = gokart.TaskInstanceParameter()
    right = gokart.TaskInstanceParameter()
    label = luigi.Parameter(default="é'\\"q")

class Many(gokart.TaskOnKart):
    tasks = gokart.ListTaskInstanceParameter()
    weights = luigi.DictParameter(default={"b": 1, "a": [1.5, None]})

leaf1, leaf2 = Leaf(n=1), Leaf(n=2)
pair = Pair(left=leaf1, right=leaf2)
many = Many(tasks=[leaf2, pair])
print(json.dumps({
    "leaf1": leaf1.make_unique_id(), "leaf2": leaf2.make_unique_id(),
    "pair": pair.make_unique_id(), "many": many.make_unique_id(),
    "pair_params": pair.to_str_params(only_significant=True),
}))
"""


@pytest.mark.upstream
def test_ids_of_a_small_graph_match_upstream() -> None:
    upstream = run_upstream_json(SCRIPT)
    assert isinstance(upstream, dict)
    leaf1 = unique_id([], {"n": "1"}, "Leaf")
    leaf2 = unique_id([], {"n": "2"}, "Leaf")
    pair_params = {
        "left": task_parameter_text("Leaf", {"n": "1"}),
        "right": task_parameter_text("Leaf", {"n": "2"}),
        "label": "é'\"q",
    }
    assert upstream["pair_params"] == pair_params
    pair = unique_id([leaf1, leaf2], pair_params, "Pair")
    many_params = {
        "tasks": task_list_parameter_text([("Leaf", {"n": "2"}), ("Pair", pair_params)]),
        "weights": '{"b": 1, "a": [1.5, null]}',
    }
    many = unique_id([leaf2, pair], many_params, "Many")
    assert upstream == {**upstream, "leaf1": leaf1, "leaf2": leaf2, "pair": pair, "many": many}
