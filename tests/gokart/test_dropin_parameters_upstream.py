# ruff: noqa: E501  (the embedded scripts are kept readable as whole lines)
"""gokart's parameter classes, DataFrame type and seeded random streams next to upstream gokart 1.12.2 (issue #14).

Every comparison runs the same script under upstream gokart 1.12.2 and under this `gokart` package and
compares what both print.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from _upstream import last_json, run_here, run_upstream, upstream_python

pytestmark = pytest.mark.upstream

# --- TaskInstanceParameter[T] ------------------------------------------------------------------------

GENERIC = """
import json, typing
import luigi
import gokart
import gokart.parameter

class Leaf(gokart.TaskOnKart[int]):
    n = luigi.IntParameter(default=1)

class Typed(gokart.TaskOnKart[int]):
    one: gokart.TaskInstanceParameter[Leaf] = gokart.TaskInstanceParameter()
    many: gokart.ListTaskInstanceParameter[Leaf] = gokart.ListTaskInstanceParameter()
    typed: gokart.TaskInstanceParameter[Leaf] = gokart.TaskInstanceParameter(expected_type=Leaf)

answer = {}
for cls in (gokart.TaskInstanceParameter, gokart.ListTaskInstanceParameter):
    variable, = cls.__parameters__
    alias = cls[Leaf]
    answer[cls.__name__] = [variable.__name__, variable is gokart.parameter.TASK_ON_KART_TYPE,
                            typing.get_origin(alias) is cls, typing.get_args(alias) == (Leaf,),
                            [base.__name__ for base in cls.__mro__]]
task = Typed(one=Leaf(n=2), many=[Leaf(), Leaf(n=3)], typed=Leaf(n=4))
answer["id"] = task.make_unique_id()
answer["params"] = task.to_str_params(only_significant=True)
answer["values"] = [task.one.n, [t.n for t in task.many], task.typed.n]
print(json.dumps(answer))
"""


def test_task_instance_parameters_subscript_and_keep_ids_as_upstream() -> None:
    upstream = last_json(run_upstream(GENERIC))
    kart = last_json(run_here(GENERIC))
    assert upstream["TaskInstanceParameter"][:4] == ["TASK_ON_KART_TYPE", True, True, True]
    for name in ("TaskInstanceParameter", "ListTaskInstanceParameter"):
        # kart's classes may carry private bases between (kart_task._luigi's hook on luigi's type
        # warning); upstream's bases must all be there, in upstream's order
        kart_mro, upstream_mro = kart[name].pop(), upstream[name].pop()
        assert [base for base in kart_mro if base in upstream_mro] == upstream_mro
    assert kart == upstream


EXPECTED_TYPE = """
import json
import luigi
import gokart

class Leaf(gokart.TaskOnKart[int]):
    pass

def attempt(make):
    try:
        parameter = make()
    except Exception as exc:
        return [[c.__module__ + "." + c.__qualname__ for c in type(exc).__mro__], str(exc)]
    return ["ok"]

answer = {}
for label, value in [("str", "Leaf"), ("int", 3), ("instance", Leaf()), ("none", None), ("class", Leaf),
                     ("non-task class", int), ("luigi task", luigi.Task)]:
    answer[label] = [attempt(lambda: gokart.TaskInstanceParameter(expected_type=value)),
                     attempt(lambda: gokart.ListTaskInstanceParameter(expected_elements_type=value))]
print(json.dumps(answer))
"""


def test_expected_type_checks_as_upstream() -> None:
    upstream = last_json(run_upstream(EXPECTED_TYPE))
    kart = last_json(run_here(EXPECTED_TYPE))
    assert upstream["str"][0][0][0] == "builtins.TypeError"
    assert upstream["str"][0][1] == "expected_type must be a type, not <class 'str'>"

    def raised_as_upstream(kart_result: list[Any], upstream_result: list[Any]) -> bool:
        """kart raises its own class (kart_task.ParameterTypeError), a subclass of the class upstream
        raises: upstream's class is in kart's MRO, and the message is equal."""
        if upstream_result == ["ok"] or kart_result == ["ok"]:
            return kart_result == upstream_result
        return upstream_result[0][0] in kart_result[0] and kart_result[1] == upstream_result[1]

    assert kart.keys() == upstream.keys()
    for label, pair in upstream.items():
        for kart_result, upstream_result in zip(kart[label], pair, strict=True):
            assert raised_as_upstream(kart_result, upstream_result), (label, kart_result, upstream_result)
    assert kart["str"][0][0][:3] == [
        "kart_task._errors.ParameterTypeError",
        "kart_task._errors.KartTaskError",
        "builtins.TypeError",
    ]


WRONG_VALUES = """
import json
import luigi
import gokart

class Leaf(gokart.TaskOnKart[int]):
    pass

class Other(gokart.TaskOnKart[int]):
    pass

class Plain(luigi.Task):
    pass

class Expects(gokart.TaskOnKart[int]):
    one = gokart.TaskInstanceParameter(expected_type=Leaf)

class Defaults(gokart.TaskOnKart[int]):
    one = gokart.TaskInstanceParameter()

class ExpectsMany(gokart.TaskOnKart[int]):
    many = gokart.ListTaskInstanceParameter(expected_elements_type=Leaf)

class DefaultsMany(gokart.TaskOnKart[int]):
    many = gokart.ListTaskInstanceParameter()

class ExpectsInt(gokart.TaskOnKart[int]):
    one = gokart.TaskInstanceParameter(expected_type=int)

def attempt(make):
    try:
        make()
    except Exception as exc:
        return [type(exc).__module__ + "." + type(exc).__qualname__, str(exc)]
    return ["ok"]

print(json.dumps({
    "other task": attempt(lambda: Expects(one=Other())),
    "int": attempt(lambda: Expects(one=1)),
    "plain luigi task": attempt(lambda: Expects(one=Plain())),
    "default, plain luigi task": attempt(lambda: Defaults(one=Plain())),
    "default, str": attempt(lambda: Defaults(one="x")),
    "list with other task": attempt(lambda: ExpectsMany(many=[Other()])),
    "list with int": attempt(lambda: ExpectsMany(many=[Leaf(), 1])),
    "one task for a list": attempt(lambda: ExpectsMany(many=Leaf())),
    "str for a list": attempt(lambda: ExpectsMany(many="ab")),
    "int for a list": attempt(lambda: ExpectsMany(many=1)),
    "default list, plain luigi task": attempt(lambda: DefaultsMany(many=[Plain()])),
    "empty list": attempt(lambda: ExpectsMany(many=[])),
    "tuple": attempt(lambda: ExpectsMany(many=(Leaf(),))),
    "expected int, int": attempt(lambda: ExpectsInt(one=1)),
    "expected int, task": attempt(lambda: ExpectsInt(one=Leaf())),
}))
"""


def test_wrong_typed_values_raise_upstreams_error() -> None:
    upstream = last_json(run_upstream(WRONG_VALUES))
    kart = last_json(run_here(WRONG_VALUES))
    assert upstream["int"] == ["builtins.TypeError", "1 is not an instance of <class '__main__.Leaf'>"]
    assert kart == upstream


# --- ExplicitBoolParameter ---------------------------------------------------------------------------

EXPLICIT_BOOL = """
import json, sys
import gokart

class Flagged(gokart.TaskOnKart[bool]):
    flag = gokart.ExplicitBoolParameter()
    other = gokart.ExplicitBoolParameter(default=True)
    def run(self):
        print(json.dumps({"ran": [self.flag, self.other]}))
        self.dump(self.flag)

def attempt(make):
    try:
        return ["ok", make()]
    except Exception as exc:
        return [type(exc).__module__ + "." + type(exc).__qualname__, str(exc)]

if sys.argv[1] == "construct":
    print(json.dumps({
        "missing": attempt(lambda: Flagged().flag),
        "given": attempt(lambda: [Flagged(flag=False).flag, Flagged(flag=False).other]),
        "text": attempt(lambda: Flagged(flag="true").flag),
        "parse": attempt(lambda: [Flagged.flag.parse("True"), Flagged.flag.parse("false")]),
        "bad text": attempt(lambda: Flagged.flag.parse("yes")),
    }))
else:
    sys.argv = ["prog", "Flagged", "--local-scheduler", *sys.argv[2:]]
    try:
        gokart.run()
    except SystemExit as exc:
        print(json.dumps({"exit": exc.code}))
    except Exception as exc:
        print(json.dumps({"raised": [type(exc).__module__ + "." + type(exc).__qualname__, str(exc)]}))
"""


def test_explicit_bool_is_a_required_parameter_as_upstream() -> None:
    upstream = last_json(run_upstream(EXPLICIT_BOOL, "construct"))
    kart = last_json(run_here(EXPLICIT_BOOL, "construct"))
    assert upstream["missing"][0] == "luigi.parameter.MissingParameterException"
    assert kart == upstream


def _command_line(python: str, tmp_path: Path, *argv: str) -> tuple[list[Any], str]:
    """The JSON lines a command-line run prints, and the last line of its stderr."""
    result = subprocess.run(
        [python, "-c", EXPLICIT_BOOL, "cli", *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ},
        check=False,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    errors = result.stderr.strip().splitlines()
    return lines, errors[-1] if errors else ""


@pytest.mark.parametrize(
    "argv",
    [
        ["--flag"],
        ["--flag", "true"],
        ["--flag", "false"],
        ["--flag", "True"],
        ["--Flagged-flag", "false", "--other", "false"],
        [],
    ],
    ids=["bare flag", "true", "false", "True", "task-qualified", "left out"],
)
def test_explicit_bool_on_the_command_line_as_upstream(tmp_path: Path, argv: list[str]) -> None:
    (tmp_path / "upstream").mkdir()
    (tmp_path / "kart").mkdir()
    upstream = _command_line(str(upstream_python()), tmp_path / "upstream", *argv)
    kart = _command_line(sys.executable, tmp_path / "kart", *argv)
    if argv == ["--flag"]:
        assert upstream == ([{"exit": 2}], "prog: error: argument --flag: expected one argument")
    if not argv:
        assert upstream[0][0]["raised"][0] == "luigi.parameter.MissingParameterException"
    assert kart[0] == upstream[0]
    if argv in (["--flag"], []):
        assert kart[1] == upstream[1]


# --- ZonedDateSecondParameter ------------------------------------------------------------------------

ZONED = """
import datetime, json, warnings
import gokart

class Zoned(gokart.TaskOnKart[int]):
    at = gokart.ZonedDateSecondParameter()

answer = []
for value in ["2024-01-02T03:04:05", "2024-01-02T03:04:05+09:00", datetime.datetime(2024, 1, 2, 3, 4, 5, 678),
              datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)]:
    try:
        task = Zoned(at=value)
        outcome = [repr(task.at), task.to_str_params()["at"], task.make_unique_id()]
    except Exception as exc:
        outcome = [type(exc).__name__, str(exc)]
    answer.append(outcome)
for text in ["2024-01-02T03:04:05", "2024-01-02T03:04:05+09:00", "2024-01-02T03:04:05Z"]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parsed = Zoned.at.parse(text)
    answer.append([repr(parsed), [[w.category.__module__ + "." + w.category.__qualname__, str(w.message)] for w in caught]])
print(json.dumps(answer))
"""


def test_zoned_date_second_warns_and_fails_as_upstream() -> None:
    upstream = last_json(run_upstream(ZONED))
    kart = last_json(run_here(ZONED))
    assert upstream[4][1] == [
        [
            "builtins.UserWarning",
            "The input does not have timezone information. Please consider using luigi.DateSecondParameter instead.",
        ]
    ]
    assert kart == upstream


# --- TaskOnKart[pl.LazyFrame] ------------------------------------------------------------------------

DATAFRAME_TYPES = """
import json, sys, typing
import luigi
import pandas as pd
import polars as pl
import gokart
from gokart.utils import get_dataframe_type_from_task

T = typing.TypeVar("T")

class G(typing.Generic[T]): pass
class Lazy(gokart.TaskOnKart[pl.LazyFrame]): pass
class LazyChild(Lazy): pass
class Base(gokart.TaskOnKart[T]): pass
class LazyThroughBase(Base[pl.LazyFrame]): pass
class EagerThroughBase(Base[pl.DataFrame]): pass
class Series(gokart.TaskOnKart[pl.Series]): pass
class Optional(gokart.TaskOnKart[typing.Optional[pl.LazyFrame]]): pass
class Listed(gokart.TaskOnKart[list[pl.LazyFrame]]): pass
class Pandas(gokart.TaskOnKart[pd.DataFrame]): pass
class Bare(gokart.TaskOnKart): pass
class EagerGeneric(gokart.TaskOnKart[pl.DataFrame], typing.Generic[T]): pass
class EagerGenericOfLazy(EagerGeneric[pl.LazyFrame]): pass
class LazyGeneric(gokart.TaskOnKart[pl.LazyFrame], typing.Generic[T]): pass
class LazyGenericOfEager(LazyGeneric[pl.DataFrame]): pass
class OtherGenericFirst(G[pl.LazyFrame], gokart.TaskOnKart[pl.DataFrame]): pass
class OtherGenericFirst2(G[pl.DataFrame], gokart.TaskOnKart[pl.LazyFrame]): pass
class LazySubclass(pl.LazyFrame): pass
class OfLazySubclass(gokart.TaskOnKart[LazySubclass]): pass
class Text(gokart.TaskOnKart["pl.LazyFrame"]): pass

classes = [Lazy, LazyChild, LazyThroughBase, EagerThroughBase, Series, Optional, Listed, Pandas, Bare, EagerGeneric,
           EagerGenericOfLazy, LazyGeneric, LazyGenericOfEager, OtherGenericFirst, OtherGenericFirst2, OfLazySubclass, Text]
print(json.dumps({cls.__name__: [get_dataframe_type_from_task(cls), get_dataframe_type_from_task(cls())] for cls in classes}))
"""


def test_dataframe_type_of_a_task_as_upstream() -> None:
    upstream = last_json(run_upstream(DATAFRAME_TYPES))
    kart = last_json(run_here(DATAFRAME_TYPES))
    assert upstream["Lazy"] == ["polars-lazy", "polars-lazy"]
    assert kart == upstream


LAZY_ROUND_TRIP = """
import json, os, sys
import luigi
import polars as pl
import gokart

class Lazy(gokart.TaskOnKart[pl.LazyFrame]):
    extension = luigi.Parameter()
    def output(self):
        return self.make_target(f"frames/lazy.{self.extension}")
    def run(self):
        self.dump(pl.LazyFrame({"a": [1, 2], "b": ["x", "y"]}))

class Eager(gokart.TaskOnKart[pl.DataFrame]):
    extension = luigi.Parameter()
    def output(self):
        return self.make_target(f"frames/eager.{self.extension}")
    def run(self):
        self.dump(pl.LazyFrame({"a": [1, 2], "b": ["x", "y"]}))

class Reader(gokart.TaskOnKart[int]):
    source = gokart.TaskInstanceParameter()
    def run(self):
        frame = self.load(self.source)
        print(json.dumps({"reader": [type(self.source).__name__, type(frame).__module__ + "." + type(frame).__name__]}))
        self.dump(1)

os.chdir(sys.argv[1])
answer = {}
for cls in (Lazy, Eager):
    for extension in ["parquet", "csv", "feather", "pkl", "json", "tsv"]:
        task = cls(extension=extension)
        gokart.build(Reader(source=task), reset_register=False, log_level=40)
        loaded = task.output().load()
        frame = loaded.collect() if isinstance(loaded, pl.LazyFrame) else loaded
        answer[f"{cls.__name__}.{extension}"] = [type(loaded).__module__ + "." + type(loaded).__name__, frame.to_dicts(),
                                                 {name: str(dtype) for name, dtype in frame.schema.items()}]
print(json.dumps(answer))
"""


def test_lazy_frame_tasks_load_lazy_frames_as_upstream(tmp_path: Path) -> None:
    (tmp_path / "upstream").mkdir()
    (tmp_path / "kart").mkdir()
    upstream_out = run_upstream(LAZY_ROUND_TRIP, str(tmp_path / "upstream"))
    kart_out = run_here(LAZY_ROUND_TRIP, str(tmp_path / "kart"))
    upstream, kart = last_json(upstream_out), last_json(kart_out)
    for extension in ["parquet", "csv", "feather"]:
        assert upstream[f"Lazy.{extension}"][0] == "polars.lazyframe.frame.LazyFrame"
    assert kart == upstream
    readers = [line for line in upstream_out.splitlines() if line.startswith('{"reader"')]
    assert len(readers) == 12
    assert [line for line in kart_out.splitlines() if line.startswith('{"reader"')] == readers


# --- fix_random_seed_value ---------------------------------------------------------------------------

# Upstream registers its three START handlers (set the seed and write the random_seed log, write the
# module versions, write the task parameters) in a `set` of functions on luigi.Task, so their order is
# the order of the functions' memory addresses: it changes from one program to the next, and with it the
# number of temporary-file draws taken between seeding and run() (3 when the seed comes first, the order
# most programs get; 2 or 1 otherwise). kart seeds first, always. Upstream's script is pinned to that
# order here, so that the comparison does not depend on where upstream's functions happen to lie.
SEEDS = """
import json, os, random, sys
import luigi
import numpy as np
import pandas as pd
import gokart

if sys.argv[2] == "pin-upstream-start-order":
    start = luigi.Task._event_callbacks[luigi.Task][luigi.Event.START]
    rank = {"_set_random_seed": 0, "_dump_module_versions": 1, "_dump_task_params": 2}
    luigi.Task._event_callbacks[luigi.Task][luigi.Event.START] = sorted(start, key=lambda f: rank[f.__name__])

draws = {}

def draw(task, label):
    draws.setdefault(type(task).__name__, []).append(
        [label, random.random(), random.randrange(1000), float(np.random.rand()), np.random.normal(size=2).tolist()])

def save_model(model, path):
    with open(path, "w") as f:
        f.write(str(model))

def load_model(path):
    with open(path) as f:
        return f.read()

class OneDump(gokart.TaskOnKart):
    fix_random_seed_value = luigi.IntParameter(default=57)
    def run(self):
        draw(self, "start")
        self.dump([1, 2, 3])
        draw(self, "after dump")

class TwoDumps(gokart.TaskOnKart):
    fix_random_seed_value = luigi.IntParameter(default=57)
    def output(self):
        return {"a": self.make_target("two/a.pkl"), "b": self.make_target("two/b.pkl")}
    def run(self):
        draw(self, "start")
        self.dump("a", "a")
        draw(self, "after a")
        self.dump("b", "b")
        draw(self, "after b")

class Frames(gokart.TaskOnKart):
    fix_random_seed_value = luigi.IntParameter(default=57)
    def output(self):
        return {"csv": self.make_target("frames/f.csv"), "pkl": self.make_target("frames/f.pkl"),
                "model": self.make_model_target("frames/m.zip", save_function=save_model, load_function=load_model),
                "text": self.make_target("frames/t.txt")}
    def run(self):
        frame = pd.DataFrame({"x": np.random.normal(size=4), "y": [random.random() for _ in range(4)]})
        draw(self, "start")
        self.dump(frame, "csv")
        draw(self, "after csv")
        self.dump(frame, "pkl")
        self.dump("model", "model")
        draw(self, "after pkl and model")
        self.dump("text", "text")
        draw(self, "after text")

class SeedFromId(gokart.TaskOnKart):
    name = luigi.Parameter(default="derived")
    def run(self):
        draw(self, "start")
        self.dump(self.name)
        draw(self, "after dump")

class NoLogs(gokart.TaskOnKart):
    fix_random_seed_value = luigi.IntParameter(default=57)
    def requires(self):
        return SeedFromId(name="before no logs")
    def run(self):
        draw(self, "start (not seeded: the stream goes on from the task before)")
        self.dump(1)
        draw(self, "after dump")

class Root(gokart.TaskOnKart):
    def requires(self):
        return [OneDump(), TwoDumps(), Frames(), SeedFromId()]
    def run(self):
        self.dump(1)

os.chdir(sys.argv[1])
gokart.build(Root(), reset_register=False, log_level=40)
gokart.build(NoLogs(should_dump_supplementary_log_files=False), reset_register=False, log_level=40)
one = OneDump()
answer = {"draws": draws, "seed_methods": [repr(one.fix_random_seed_methods), type(one.fix_random_seed_methods).__name__],
          "seed_value_default": gokart.TaskOnKart().fix_random_seed_value,
          "seed_logs": {type(t).__name__: t._get_random_seeds_target().load() for t in (OneDump(), Frames(), SeedFromId())}}
print(json.dumps(answer))
"""


def test_seeded_tasks_draw_upstreams_numbers(tmp_path: Path) -> None:
    (tmp_path / "upstream").mkdir()
    (tmp_path / "kart").mkdir()
    upstream = last_json(run_upstream(SEEDS, str(tmp_path / "upstream"), "pin-upstream-start-order"))
    kart = last_json(run_here(SEEDS, str(tmp_path / "kart"), "as-is"))
    assert set(upstream["draws"]) == {"OneDump", "TwoDumps", "Frames", "SeedFromId", "NoLogs"}
    assert upstream["seed_logs"]["OneDump"] == {
        "seed": 57,
        "seed_methods": ["random.seed", "numpy.random.seed"],
    }
    for name, steps in upstream["draws"].items():
        assert kart["draws"][name] == steps, name
    assert kart == upstream


# --- typing of TaskInstanceParameter[T] without the plugin ------------------------------------------

TYPED = """import gokart


class A(gokart.TaskOnKart[int]):
    def run(self) -> None:
        self.dump(1)


class B(gokart.TaskOnKart[int]):
    a: gokart.TaskInstanceParameter[A] = gokart.TaskInstanceParameter()
    many: gokart.ListTaskInstanceParameter[A] = gokart.ListTaskInstanceParameter()
    typed = gokart.TaskInstanceParameter(expected_type=A)

    def run(self) -> None:
        reveal_type(self.a)
        reveal_type(self.many)
        reveal_type(self.typed)
        reveal_type(B.a)
        self.dump(1)


wrong: gokart.TaskInstanceParameter[A] = gokart.TaskInstanceParameter(expected_type=B)
"""


def _mypy(python: str, tmp_path: Path) -> list[str]:
    (tmp_path / "typed.py").write_text(TYPED)
    result = subprocess.run(
        [python, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull, "typed.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    return [line for line in result.stdout.splitlines() if line.startswith("typed.py:")]


def test_mypy_types_subscripted_task_parameters_as_upstream(tmp_path: Path) -> None:
    (tmp_path / "upstream").mkdir()
    (tmp_path / "kart").mkdir()
    upstream = _mypy(str(upstream_python()), tmp_path / "upstream")
    kart = _mypy(sys.executable, tmp_path / "kart")
    assert 'typed.py:15: note: Revealed type is "typed.A"' in upstream
    assert kart == upstream
