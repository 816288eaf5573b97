"""hash.md §10 through the task layer: real task classes, luigi parameters, kart-hash underneath."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from myproj import tasks as t

L1 = "84960be101c80d30303183a04c70b9b5"

CASES: list[tuple[str, Callable[[], Any], str]] = [
    ("1", lambda: t.NoParam(), "6edd262dffa1045d8ad8bfa4679a0562"),
    ("2", lambda: t.Scalars(i=1, s="hello", f=0.5), "35bff4eda3469f526340eba2cee3ac40"),
    (
        "3",
        lambda: t.Containers(l=[1, "a", [2, 3]], d={"b": 1, "a": {"y": [1, 2]}}),
        "0be6255ccc8365fcb240e1728c67faf5",
    ),
    ("4a", lambda: t.WithNote(a=3), "7727f1ee722fff0cffc6555ad012068b"),
    ("4b", lambda: t.WithNote(a=3, note="other"), "7727f1ee722fff0cffc6555ad012068b"),
    ("5", lambda: t.Leaf(), L1),
    ("6a", lambda: t.Leaf(n=2), "f13ac84404193e68d6820073f669cebc"),
    ("6b", lambda: t.Leaf(n=3), "558fd7807228b9758524a2afea0d011c"),
    ("7", lambda: t.UsesTIP(upstream=t.Leaf(n=1)), "e3a572aa0d44815d4246646a138261a5"),
    ("8", lambda: t.DictRequires(), "73b30d631e23ceaa616462d3c97c0df7"),
    ("9", lambda: t.ChainA(x=7), "91d579c1e44d97d76be9f52dc0456cbd"),
    ("10", lambda: t.ChainB(a=t.ChainA(x=7)), "df245c6ef06d993cfdcc4894b2b241ed"),
    ("11", lambda: t.ChainC(b=t.ChainB(a=t.ChainA(x=7))), "ec3a8f22e34946d8a440e8ece930a559"),
    ("12", lambda: t.InsignificantDep(), "d80c2f8ed68bed9df6103ff6f5da58d3"),
    ("13", lambda: t.Namespaced(), "f670678832ae41d2fd3e7218f7672642"),
    ("14", lambda: t.NotNamespaced(), "9c306c72c589cd3655e14e3610440254"),
    ("15", lambda: t.Holder(c=t.Namespaced2()), "8d3ea8c929c4788450f3f7b5966809d3"),
    ("16", lambda: t.ListTIP(tasks=[t.Leaf(n=1), t.Leaf(n=2)]), "5a3cfe1f7ffb49f984ea9849daca108a"),
    ("17", lambda: t.Ordered(), "14dd16da1379d6bfcdebd4f8d344f91e"),
    ("18", lambda: t.StrEdge(s="it's\ncafé"), "d6df9cb27846e0f1a3e4715001101fbd"),
    ("19", lambda: t.UsesLuigiDep(), "1546f6f2e40c0eeb775981f61a94be93"),
    ("20", lambda: t.Misc(), "f080b61bb94d22a39c4bd35e31e88e6f"),
    ("21", lambda: t.Visibility(), "0bf511a57fde930c9f4cdbf0c7df9c92"),
    ("22", lambda: t.FloatP(), "1c6f91227f4fcd9c43c0aea8c6f8b091"),
    ("23", lambda: t.FloatP(f=1.0), "5c8174c3ce7455ec21e0b0e0a1181f3d"),
    ("24", lambda: t.FloatP(f=2.5), "57e9a510cc499a710692b6efafb43cae"),
    ("25", lambda: t.Nested(), "5c6abce2f26be098617025152265f2c0"),
    ("26", lambda: t.TipInsignificantParam(up=t.Leaf(n=1)), "138a3d060a686416e5162731aadaccf1"),
    ("27", lambda: t.UsesTIP(upstream=t.Leaf(n=1, significant=False)), "f7da19901c00df5c64fba076e47b216e"),
    ("28", lambda: t.TipNoRequires(up=t.Leaf(n=1)), "86660303a3222ee52e02a9bf5341b70a"),
    ("29", lambda: t.CodeTask(serialized_task_definition_check=True), "d70557d57b9279a7dbeebcaf872cc96f"),
    ("30", lambda: t.CodeTask(), "f84719130e217427286c9b0245f74168"),
    ("31", lambda: t.Leaf(n=1, workspace_directory="/data/ws"), L1),
]


@pytest.mark.parametrize(
    ("make", "expected"), [pytest.param(c[1], c[2], id=f"example {c[0]}") for c in CASES]
)
def test_worked_example_unique_id(make: Callable[[], Any], expected: str) -> None:
    assert make().make_unique_id() == expected


def test_output_paths_follow_module_and_class() -> None:
    assert t.Leaf().output().path() == f"./resources/myproj/tasks/Leaf_{L1}.pkl"
    assert (
        t.Namespaced().output().path()
        == "./resources/myproj/tasks/Namespaced_f670678832ae41d2fd3e7218f7672642.pkl"
    )
    assert (
        t.Leaf(n=1, workspace_directory="/data/ws").output().path() == f"/data/ws/myproj/tasks/Leaf_{L1}.pkl"
    )


def test_repr_and_str() -> None:
    assert str(t.Visibility()) == "Visibility[0bf511a57fde930c9f4cdbf0c7df9c92](a=1)"
    assert repr(t.Visibility()) == "Visibility[0bf511a57fde930c9f4cdbf0c7df9c92](a=1, secret=p, hidden=h)"
    assert str(t.Namespaced()) == "myns.Namespaced[f670678832ae41d2fd3e7218f7672642](a=1)"
    assert (
        str(t.UsesTIP(upstream=t.Leaf(n=1)))
        == f"UsesTIP[e3a572aa0d44815d4246646a138261a5](upstream=Leaf({L1}))"
    )


def test_task_parameters_parse_back_from_their_text() -> None:
    chain = t.ChainC(b=t.ChainB(a=t.ChainA(x=7)))
    text = t.ChainC.b.serialize(chain.b)
    assert t.ChainC.b.parse(text).make_unique_id() == chain.b.make_unique_id()
    tasks = t.ListTIP(tasks=[t.Leaf(n=1), t.Leaf(n=2)]).tasks
    parsed = t.ListTIP.tasks.parse(t.ListTIP.tasks.serialize(tasks))
    assert [task.make_unique_id() for task in parsed] == [task.make_unique_id() for task in tasks]


def test_ids_are_cached_per_instance_unless_disabled() -> None:
    task = t.Misc(dt=datetime.date(2024, 1, 3))
    first = task.make_unique_id()
    task.dt = datetime.date(2030, 1, 1)
    assert task.make_unique_id() == first
    uncached = t.Leaf(n=9, cache_unique_id=False)
    assert uncached.make_unique_id() == uncached.make_unique_id()
    assert uncached.task_unique_id is None


def test_requires_returning_a_non_task_is_rejected() -> None:
    class Broken(t.gokart.TaskOnKart):
        def requires(self) -> object:
            return [1]

    with pytest.raises(ValueError, match=r"Task\.requires method returns <class .int.>"):
        Broken().make_unique_id()
