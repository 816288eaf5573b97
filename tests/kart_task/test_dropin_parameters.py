"""gokart's parameter classes and seeded random streams as in gokart 1.12.2 (issue #14), kart-task alone.

Expected texts and numbers are the ones upstream gokart 1.12.2 gives (observed by running it; the same
comparisons against upstream itself are in tests/gokart/test_dropin_parameters_upstream.py).
"""

from __future__ import annotations

import datetime
import random
import typing
import warnings
from pathlib import Path
from typing import Any, ClassVar

import luigi
import numpy as np
import pandas as pd
import pytest
from luigi.cmdline_parser import CmdlineParser
from luigi.parameter import MissingParameterException

import kart_storage
import kart_task
from kart_task import (
    ExplicitBoolParameter,
    ListTaskInstanceParameter,
    TaskInstanceParameter,
    TaskOnKart,
    ZonedDateSecondParameter,
)
from kart_task._parameters import TASK_ON_KART_TYPE

# --- TaskInstanceParameter[T] / ListTaskInstanceParameter[T] --------------------------------------


class DropinLeaf(TaskOnKart[int]):
    n = luigi.IntParameter(default=1)


class DropinOtherLeaf(TaskOnKart[int]):
    pass


class DropinTyped(TaskOnKart[int]):
    one: TaskInstanceParameter[DropinLeaf] = TaskInstanceParameter()
    many: ListTaskInstanceParameter[DropinLeaf] = ListTaskInstanceParameter()


class DropinUntyped(TaskOnKart[int]):
    one = TaskInstanceParameter()
    many = ListTaskInstanceParameter()


def test_task_parameters_are_generic_over_a_task_type() -> None:
    for cls in (TaskInstanceParameter, ListTaskInstanceParameter):
        assert cls.__parameters__ == (TASK_ON_KART_TYPE,)  # type: ignore[attr-defined]
        alias = cls[DropinLeaf]  # type: ignore[index]
        assert typing.get_origin(alias) is cls
        assert typing.get_args(alias) == (DropinLeaf,)
    assert TASK_ON_KART_TYPE.__name__ == "TASK_ON_KART_TYPE"
    assert TASK_ON_KART_TYPE.__bound__ == typing.ForwardRef("TaskOnKart[Any]")
    hints = typing.get_type_hints(DropinTyped, include_extras=True)
    assert hints["one"] == TaskInstanceParameter[DropinLeaf]
    assert hints["many"] == ListTaskInstanceParameter[DropinLeaf]


def test_subscripted_parameters_keep_unique_ids() -> None:
    typed = DropinTyped(one=DropinLeaf(n=2), many=[DropinLeaf(), DropinLeaf(n=3)])
    untyped = DropinUntyped(one=DropinLeaf(n=2), many=[DropinLeaf(), DropinLeaf(n=3)])
    assert typed.make_unique_id() == "f72c2a3ad016aaceac7da61e0905f820"  # upstream's id for the same task
    assert typed.to_str_params() == untyped.to_str_params()
    assert typed.one == DropinLeaf(n=2)


@pytest.mark.parametrize(
    ("value", "shown"),
    [("DropinLeaf", "<class 'str'>"), (3, "<class 'int'>"), (int, None)],
    ids=["a string", "an int", "a class"],
)
def test_expected_type_must_be_a_class(value: Any, shown: str | None) -> None:
    if shown is None:  # any class is accepted, as upstream accepts it
        assert TaskInstanceParameter(expected_type=value).expected_type is value
        assert ListTaskInstanceParameter(expected_elements_type=value).expected_elements_type is value
        return
    with pytest.raises(TypeError) as caught:
        TaskInstanceParameter(expected_type=value)
    assert str(caught.value) == f"expected_type must be a type, not {shown}"
    with pytest.raises(TypeError) as caught:
        ListTaskInstanceParameter(expected_elements_type=value)
    assert str(caught.value) == f"expected_elements_type must be a type, not {shown}"


def test_a_task_instance_is_not_an_expected_type() -> None:
    with pytest.raises(TypeError) as caught:
        TaskInstanceParameter(expected_type=DropinLeaf())  # type: ignore[arg-type]
    assert str(caught.value) == f"expected_type must be a type, not {DropinLeaf}"


class DropinExpects(TaskOnKart[int]):
    one = TaskInstanceParameter(expected_type=DropinLeaf)
    many = ListTaskInstanceParameter(expected_elements_type=DropinLeaf)


def _type_error(**kwargs: Any) -> TypeError:
    with pytest.raises(TypeError) as caught:
        DropinExpects(**{"one": DropinLeaf(), "many": [], **kwargs})
    return caught.value


def test_wrong_typed_values_fail_with_gokarts_message_and_a_note_naming_task_and_parameter() -> None:
    other = DropinOtherLeaf()
    error = _type_error(one=other)
    assert type(error) is TypeError
    assert str(error) == f"{other} is not an instance of {DropinLeaf}"
    assert error.__notes__ == [
        f"DropinExpects: parameter 'one' takes a DropinLeaf instance, got DropinOtherLeaf: {other!r}"
    ]
    assert str(_type_error(one=1)) == f"1 is not an instance of {DropinLeaf}"
    error = _type_error(many=[DropinLeaf(), 7])
    assert str(error) == f"7 is not an instance of {DropinLeaf}"
    assert error.__notes__ == ["DropinExpects: parameter 'many'[1] must be a DropinLeaf instance, got int: 7"]
    # gokart iterates the value: a string is checked per character, a single task is "not iterable"
    assert str(_type_error(many="ab")) == f"a is not an instance of {DropinLeaf}"
    assert str(_type_error(many=DropinLeaf())) == "'DropinLeaf' object is not iterable"
    assert str(_type_error(many=1)) == "'int' object is not iterable"


def test_a_plain_luigi_task_is_not_a_task_on_kart() -> None:
    class PlainLuigi(luigi.Task):
        pass

    with pytest.raises(TypeError) as caught:
        DropinUntyped(one=PlainLuigi(), many=[])
    assert str(caught.value) == f"PlainLuigi() is not an instance of {TaskOnKart}"


# --- ExplicitBoolParameter ---------------------------------------------------------------------------


class DropinFlagged(TaskOnKart[bool]):
    flag = ExplicitBoolParameter()
    other = ExplicitBoolParameter(default=True)


def test_explicit_bool_without_default_is_a_required_parameter() -> None:
    with pytest.raises(MissingParameterException) as caught:
        DropinFlagged()
    assert str(caught.value) == "DropinFlagged[args=(), kwargs={}]: requires the 'flag' parameter to be set"
    assert DropinFlagged(flag=False).other is True
    assert DropinFlagged(flag="false").flag is False


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--flag", "true"], True),
        (["--flag", "false"], False),
        (["--flag", "True"], True),
        (["--DropinFlagged-flag", "false"], False),
    ],
)
def test_explicit_bool_takes_a_value_on_the_command_line(argv: list[str], flag: bool) -> None:
    with CmdlineParser.global_instance(["DropinFlagged", *argv]) as parser:
        assert parser.get_task_obj().flag is flag


def test_explicit_bool_without_a_value_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught, CmdlineParser.global_instance(["DropinFlagged", "--flag"]):
        pass
    assert caught.value.code == 2
    assert "error: argument --flag: expected one argument" in capsys.readouterr().err


def test_explicit_bool_left_out_on_the_command_line_is_missing() -> None:
    with (
        CmdlineParser.global_instance(["DropinFlagged"]) as parser,
        pytest.raises(MissingParameterException, match="requires the 'flag' parameter to be set"),
    ):
        parser.get_task_obj()


# --- ZonedDateSecondParameter ------------------------------------------------------------------------


def test_naive_datetime_text_warns_with_gokarts_text() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = ZonedDateSecondParameter().parse("2024-01-02T03:04:05")
    assert value == datetime.datetime(2024, 1, 2, 3, 4, 5)
    assert [(w.category, str(w.message)) for w in caught] == [
        (
            UserWarning,
            "The input does not have timezone information. "
            "Please consider using luigi.DateSecondParameter instead.",
        )
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ZonedDateSecondParameter().parse("2024-01-02T03:04:05+09:00")
    assert caught == []


def test_a_text_given_in_code_fails_as_on_gokart() -> None:
    with pytest.raises(TypeError, match=r"^str\.replace\(\) takes no keyword arguments$"):
        ZonedDateSecondParameter().normalize("2024-01-02T03:04:05")


# --- fix_random_seed_value: the draws gokart's temporary file names take ---------------------------

_LUIGI_TMP_DRAW = 10_000_000_000  # luigi's LocalTarget names its temporary file with randrange(0, this)


def _expected_draws(seed: int, plan: list[str]) -> list[float]:
    """What gokart's run() draws: seeded, then one temporary-file draw per START log (three), then one per
    dump; 'draw' is a random.random() in run()."""
    rng = random.Random(seed)
    for _ in range(3):
        rng.randrange(0, _LUIGI_TMP_DRAW)
    values = []
    for step in plan:
        if step == "dump":
            rng.randrange(0, _LUIGI_TMP_DRAW)
        else:
            values.append(rng.random())
    return values


class DropinSeeded(TaskOnKart[Any]):
    fix_random_seed_value = luigi.IntParameter(default=57)
    plan = luigi.ListParameter(default=("draw", "dump", "draw"))
    seen: ClassVar[dict[tuple[str, ...], list[Any]]] = {}

    def output(self) -> Any:
        dumps = sum(1 for step in self.plan if step == "dump")
        extensions = ["pkl", "csv", "pkl", "txt"]
        return {f"o{i}": self.make_target(f"seeded/o{i}.{extensions[i % 4]}") for i in range(dumps)}

    def run(self) -> None:
        values: list[Any] = []
        numpy_values: list[float] = []
        dumped = 0
        frame = pd.DataFrame({"x": [1, 2, 3]})
        for step in self.plan:
            if step == "dump":
                obj = [frame, frame, {"k": dumped}, "text"][dumped % 4]
                self.dump(obj, f"o{dumped}")
                dumped += 1
            else:
                values.append(random.random())
                numpy_values.append(float(np.random.rand()))
        DropinSeeded.seen[tuple(self.plan)] = [values, numpy_values]


@pytest.mark.parametrize(
    "plan",
    [
        ("draw", "draw", "dump"),
        ("draw", "dump", "draw"),
        ("draw", "dump", "draw", "dump", "draw"),
        ("dump", "dump", "dump", "draw", "dump", "draw"),
    ],
    ids=["draws before a dump", "one dump", "two dumps", "frames and a dict"],
)
def test_seeded_draws_follow_gokarts_temporary_file_draws(workspace: Path, plan: tuple[str, ...]) -> None:
    kart_task.build(DropinSeeded(plan=plan), reset_register=False, log_level=40)
    values, numpy_values = DropinSeeded.seen[plan]
    assert values == _expected_draws(57, list(plan))
    state = np.random.RandomState(57)  # nothing but run() draws from numpy's stream
    assert numpy_values == [float(state.rand()) for _ in numpy_values]


def test_seed_methods_default_and_record(workspace: Path) -> None:
    task = DropinSeeded()
    assert task.fix_random_seed_methods == ("random.seed", "numpy.random.seed")
    assert TaskOnKart.fix_random_seed_value._default == -42497368  # type: ignore[attr-defined]
    kart_task.build(task, reset_register=False, log_level=40)
    assert task._get_random_seeds_target().load() == {
        "seed": 57,
        "seed_methods": ["random.seed", "numpy.random.seed"],
    }


def test_a_local_write_takes_one_draw_from_random(tmp_path: Path) -> None:
    random.seed(5)
    kart_storage.make_target(str(tmp_path / "a.pkl")).dump({"x": 1})
    after_dump = random.random()
    random.seed(5)
    random.randrange(0, _LUIGI_TMP_DRAW)
    assert after_dump == random.random()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pkl"]  # still atomic: no temporary left


def test_processes_in_the_same_random_state_do_not_share_a_temporary_name(tmp_path: Path) -> None:
    """Two writers seeded alike draw the same number; the name also carries a random token."""
    from kart_storage._backends import local

    random.seed(1)
    first = local._temporary_name(str(tmp_path / "x"))
    random.seed(1)
    second = local._temporary_name(str(tmp_path / "x"))
    assert first != second
