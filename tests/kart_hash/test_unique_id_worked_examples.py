"""Every worked example of shared/spec/hash.md §10 and §10.1, as already-serialised parts.

The task layer (kart-task) has the same examples as real task classes; here the parts are
written out by hand, which pins the id algorithm itself independently of luigi.
"""

from __future__ import annotations

import pytest

from kart_hash import task_list_parameter_text, task_parameter_text, unique_id

L1 = "84960be101c80d30303183a04c70b9b5"
L2 = "f13ac84404193e68d6820073f669cebc"
L3 = "558fd7807228b9758524a2afea0d011c"
CHAIN_A = "91d579c1e44d97d76be9f52dc0456cbd"
CHAIN_B = "df245c6ef06d993cfdcc4894b2b241ed"
NAMESPACED2 = "728f8f37daed0972e626f0e9abc1c795"

TIP_LEAF_1 = '{"type": "Leaf", "params": "425a68393141592653594dd8708c0000041980500020100001000a2000221a66a621806a01bea8bb9229c284826ec38460"}'
TIP_CHAIN_A = (
    '{"type": "ChainA", "params": '
    '"425a683931415926535939d6eb5e000004188050000090004a2000221a66a621806a01bea8bb9229c28481ceb75af0"}'
)
TIP_CHAIN_B = (
    '{"type": "ChainB", "params": "425a683931415926535999eee533000045df80200050047ff0280000043f635c2a2'
    "00074226898ca308323203406a7aa3d04d01883400105ca5c044abd21a7ea9c153bed92079121ac22d256b64911cc334a1e4994a17185eb71ce9050835b5"
    '599c564a27360e1625e8e86bada690a66c8e238bc879b5ae0ca4dd84498b3a6bd88791f95eabef128fc5dc914e1424267bb94cc"}'
)
TIP_NAMESPACED2 = (
    '{"type": "myns.Namespaced2", "params": '
    '"425a6839314159265359a726dd4e0000000080000a2000210082b177245385090a726dd4e0"}'
)
CODE_TASK_OWN_CODE = (
    "    def helper(self):\n        return 42\n    def run(self):\n        self.dump(self.a)\n"
)


def test_task_parameter_text_matches_the_spec_byte_for_byte() -> None:
    assert task_parameter_text("Leaf", {"n": "1"}) == TIP_LEAF_1
    assert task_parameter_text("ChainA", {"x": "7"}) == TIP_CHAIN_A
    assert task_parameter_text("ChainB", {"a": TIP_CHAIN_A}) == TIP_CHAIN_B
    assert task_parameter_text("myns.Namespaced2", {}) == TIP_NAMESPACED2


EXAMPLES: list[tuple[str, list[object], dict[str, str], str, str | None, str]] = [
    ("1 NoParam()", [], {}, "NoParam", None, "6edd262dffa1045d8ad8bfa4679a0562"),
    (
        "2 Scalars",
        [],
        {"i": "1", "s": "hello", "f": "0.5"},
        "Scalars",
        None,
        "35bff4eda3469f526340eba2cee3ac40",
    ),
    (
        "3 Containers",
        [],
        {"l": '[1, "a", [2, 3]]', "d": '{"b": 1, "a": {"y": [1, 2]}}'},
        "Containers",
        None,
        "0be6255ccc8365fcb240e1728c67faf5",
    ),
    ("4 WithNote (note insignificant)", [], {"a": "3"}, "WithNote", None, "7727f1ee722fff0cffc6555ad012068b"),
    ("5 Leaf()", [], {"n": "1"}, "Leaf", None, L1),
    ("6 Leaf(n=2)", [], {"n": "2"}, "Leaf", None, L2),
    ("6 Leaf(n=3)", [], {"n": "3"}, "Leaf", None, L3),
    ("7 UsesTIP", [L1], {"upstream": TIP_LEAF_1}, "UsesTIP", None, "e3a572aa0d44815d4246646a138261a5"),
    (
        "8 DictRequires (value order b, a)",
        [L2, L1],
        {},
        "DictRequires",
        None,
        "73b30d631e23ceaa616462d3c97c0df7",
    ),
    ("9 ChainA", [], {"x": "7"}, "ChainA", None, CHAIN_A),
    ("10 ChainB", [CHAIN_A], {"a": TIP_CHAIN_A}, "ChainB", None, CHAIN_B),
    (
        "11 ChainC",
        [CHAIN_B],
        {"b": TIP_CHAIN_B, "tag": "c"},
        "ChainC",
        None,
        "ec3a8f22e34946d8a440e8ece930a559",
    ),
    ("12 InsignificantDep", [None], {}, "InsignificantDep", None, "d80c2f8ed68bed9df6103ff6f5da58d3"),
    (
        "13 Namespaced (namespace ignored)",
        [],
        {"a": "1"},
        "Namespaced",
        None,
        "f670678832ae41d2fd3e7218f7672642",
    ),
    ("14 NotNamespaced", [], {"a": "1"}, "NotNamespaced", None, "9c306c72c589cd3655e14e3610440254"),
    ("15 Namespaced2 (dependency of 15)", [], {}, "Namespaced2", None, NAMESPACED2),
    ("15 Holder", [NAMESPACED2], {"c": TIP_NAMESPACED2}, "Holder", None, "8d3ea8c929c4788450f3f7b5966809d3"),
    (
        "16 ListTIP",
        [L1, L2],
        {"tasks": task_list_parameter_text([("Leaf", {"n": "1"}), ("Leaf", {"n": "2"})])},
        "ListTIP",
        None,
        "5a3cfe1f7ffb49f984ea9849daca108a",
    ),
    (
        "17 Ordered (creation order)",
        [],
        {"zeta": "z", "alpha": "a"},
        "Ordered",
        None,
        "14dd16da1379d6bfcdebd4f8d344f91e",
    ),
    ("18 StrEdge", [], {"s": "it's\ncafé"}, "StrEdge", None, "d6df9cb27846e0f1a3e4715001101fbd"),
    (
        "19 UsesLuigiDep",
        [{"path": "/data/x.csv"}],
        {},
        "UsesLuigiDep",
        None,
        "1546f6f2e40c0eeb775981f61a94be93",
    ),
    (
        "20 Misc",
        [],
        {"b": "False", "dt": "2024-01-02", "o": "", "td": "0 w 0 d 1 h 0 m 0 s"},
        "Misc",
        None,
        "f080b61bb94d22a39c4bd35e31e88e6f",
    ),
    (
        "21 Visibility (private dropped)",
        [],
        {"a": "1", "hidden": "h"},
        "Visibility",
        None,
        "0bf511a57fde930c9f4cdbf0c7df9c92",
    ),
    ("22 FloatP() int default", [], {"f": "1"}, "FloatP", None, "1c6f91227f4fcd9c43c0aea8c6f8b091"),
    ("23 FloatP(f=1.0)", [], {"f": "1.0"}, "FloatP", None, "5c8174c3ce7455ec21e0b0e0a1181f3d"),
    ("24 FloatP(f=2.5)", [], {"f": "2.5"}, "FloatP", None, "57e9a510cc499a710692b6efafb43cae"),
    ("25 Nested", [L1, L2, L3], {}, "Nested", None, "5c6abce2f26be098617025152265f2c0"),
    ("26 TipInsignificantParam", [L1], {}, "TipInsignificantParam", None, "138a3d060a686416e5162731aadaccf1"),
    (
        "27 UsesTIP insignificant upstream",
        [None],
        {"upstream": TIP_LEAF_1},
        "UsesTIP",
        None,
        "f7da19901c00df5c64fba076e47b216e",
    ),
    ("28 TipNoRequires", [], {"up": TIP_LEAF_1}, "TipNoRequires", None, "86660303a3222ee52e02a9bf5341b70a"),
    (
        "29 CodeTask with own code",
        [],
        {"a": "1"},
        "CodeTask",
        CODE_TASK_OWN_CODE,
        "d70557d57b9279a7dbeebcaf872cc96f",
    ),
    ("30 CodeTask", [], {"a": "1"}, "CodeTask", None, "f84719130e217427286c9b0245f74168"),
    ("31 Leaf with workspace (insignificant)", [], {"n": "1"}, "Leaf", None, L1),
    ("10.1 bare TaskOnKart", [], {}, "TaskOnKart", None, "7757badf81370beccb26f204c5bddba5"),
    ("10.1 _SampleDummyTask", [], {}, "_SampleDummyTask", None, "7e857f231830ca0fd6cf829d99f43961"),
    ("10.1 Example", [], {}, "Example", None, "8441c59b5ce0113396d53509f19371fb"),
    ("10.1 Sample", [], {}, "Sample", None, "cdf55a3d6c255d8c191f5f472da61f99"),
    ("10.1 TaskA foo", [], {"param": "foo"}, "TaskA", None, "be65508b556dd3752359b4246791413d"),
    ("10.1 TaskA bar", [], {"param": "bar"}, "TaskA", None, "5a824f7d232eb69d46f0ac6bbd93b565"),
    (
        "10.1 TaskC(task=TaskA(param='foo'))",
        ["be65508b556dd3752359b4246791413d"],
        {"task": task_parameter_text("TaskA", {"param": "foo"})},
        "TaskC",
        None,
        "66d4ec7ae14c9eb2ca0db4d835d83ace",
    ),
    (
        "10.1 TaskB(task=TaskA(param='bar'))",
        ["5a824f7d232eb69d46f0ac6bbd93b565"],
        {"task": task_parameter_text("TaskA", {"param": "bar"})},
        "TaskB",
        None,
        "169999e765ef9d2a15d91a4dc58c1aac",
    ),
]


@pytest.mark.parametrize(
    ("dependencies", "params", "class_name", "own_code", "expected"),
    [pytest.param(*example[1:], id=example[0]) for example in EXAMPLES],
)
def test_worked_example(
    dependencies: list[str | dict[str, str] | None],
    params: dict[str, str],
    class_name: str,
    own_code: str | None,
    expected: str,
) -> None:
    assert unique_id(dependencies, params, class_name, own_code) == expected


def test_example_7_hashes_exactly_the_documented_text() -> None:
    """§10: the exact str() input of example 7, so a port can debug byte by byte."""
    documented = "['84960be101c80d30303183a04c70b9b5', {'upstream': '" + TIP_LEAF_1 + "'}, 'UsesTIP']"
    import hashlib

    assert hashlib.md5(documented.encode()).hexdigest() == unique_id(
        [L1], {"upstream": TIP_LEAF_1}, "UsesTIP"
    )


def test_dependency_order_matters_and_duplicates_count_twice() -> None:
    assert unique_id([L1, L2], {}, "X") != unique_id([L2, L1], {}, "X")
    assert unique_id([L1, L1], {}, "X") != unique_id([L1], {}, "X")


def test_params_mapping_is_hashed_in_its_own_order() -> None:
    assert unique_id([], {"zeta": "z", "alpha": "a"}, "Ordered") != unique_id(
        [], {"alpha": "a", "zeta": "z"}, "Ordered"
    )


def test_a_bad_dependency_entry_is_rejected_with_its_type() -> None:
    with pytest.raises(TypeError, match="int"):
        unique_id([3], {}, "X")  # type: ignore[list-item]
