"""Hypothesis: fingerprints are stable under copying and pickling, ignore dict/set order, and
tell unequal values apart."""

from __future__ import annotations

import copy
import pickle
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kart_hash import fingerprint

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.binary(max_size=20)
)
keys = st.text(max_size=8) | st.integers()
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.lists(children, max_size=5).map(tuple)
        | st.dictionaries(keys, children, max_size=5)
        | st.frozensets(st.text(max_size=5), max_size=5)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_stable_under_copy_and_pickle(value: Any) -> None:
    expected = fingerprint(value)
    assert fingerprint(copy.deepcopy(value)) == expected
    assert fingerprint(pickle.loads(pickle.dumps(value))) == expected


def _reordered(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _reordered(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_reordered(v, rng) for v in value]
    if isinstance(value, tuple):
        return tuple(_reordered(v, rng) for v in value)
    if isinstance(value, frozenset):
        items = list(value)
        rng.shuffle(items)
        return set(items)
    return value


@settings(max_examples=300, deadline=None)
@given(values, st.randoms(use_true_random=False))
def test_insertion_order_of_dicts_and_sets_does_not_matter(value: Any, rng: random.Random) -> None:
    assert fingerprint(_reordered(value, rng)) == fingerprint(value)


def _typed(value: Any) -> Any:
    """Python equality with types made explicit (1 == 1.0 == True, but their fingerprints differ)."""
    if isinstance(value, dict):
        return ("dict", frozenset((_typed(k), _typed(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_typed(v) for v in value))
    if isinstance(value, frozenset | set):
        return ("set", frozenset(_typed(v) for v in value))
    if isinstance(value, float) and value == 0.0:
        return ("float", 0.0)
    return (type(value).__name__, value)


@settings(max_examples=500, deadline=None)
@given(values, values)
def test_different_values_have_different_fingerprints(a: Any, b: Any) -> None:
    if _typed(a) == _typed(b):
        assert fingerprint(a) == fingerprint(b)
    else:
        assert fingerprint(a) != fingerprint(b)
