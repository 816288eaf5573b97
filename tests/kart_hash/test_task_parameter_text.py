from __future__ import annotations

import json

import pytest

from kart_hash import parse_task_parameter_text, task_list_parameter_text, task_parameter_text


def test_round_trip_of_nested_task_parameters() -> None:
    inner = task_parameter_text("ChainA", {"x": "7"})
    outer = task_parameter_text("ChainB", {"a": inner})
    family, params = parse_task_parameter_text(outer)
    assert family == "ChainB"
    assert parse_task_parameter_text(params["a"]) == ("ChainA", {"x": "7"})


def test_non_ascii_params_are_json_escaped_before_packing() -> None:
    _, params = parse_task_parameter_text(task_parameter_text("T", {"s": "café"}))
    assert params == {"s": "café"}


def test_list_text_is_a_json_array_of_texts() -> None:
    text = task_list_parameter_text([("Leaf", {"n": "1"})])
    assert json.loads(text) == [task_parameter_text("Leaf", {"n": "1"})]
    assert task_list_parameter_text([]) == "[]"


@pytest.mark.parametrize("text", ["", "{}", '{"type": "A", "params": "zz"}', '{"type": 1, "params": "00"}'])
def test_garbage_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="not a serialised task parameter"):
        parse_task_parameter_text(text)
