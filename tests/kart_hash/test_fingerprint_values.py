from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import io
import pathlib
import socket
import uuid
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kart_hash import fingerprint


def test_format_is_pinned() -> None:
    """A golden value: changing the encoding silently would invalidate every stored cache key."""
    value = {"a": [1, 2.5, None, True], "b": ("x", b"y"), "c": {3, 4}}
    assert fingerprint(value) == fingerprint({"c": {4, 3}, "b": ("x", b"y"), "a": [1, 2.5, None, True]})
    assert fingerprint(value) == GOLDEN


GOLDEN = "d660d6eee201034c6f069e48f8843b3f37615aa667ea17ba0d349414ea9ac6fb"


@pytest.mark.parametrize(
    "values",
    [
        [1, 1.0, True, "1", b"1", [1], (1,), {1}, {1: None}, decimal.Decimal(1), None],
        [0, False, 0.0, "", b"", [], (), set(), {}, None],
        [["ab", "c"], ["a", "bc"], ["abc"], [["a"], "bc"]],
        [dt.date(2024, 1, 2), dt.datetime(2024, 1, 2), "2024-01-02"],
        [pathlib.PurePosixPath("a/b"), "a/b", pathlib.PureWindowsPath("a/b")],
    ],
)
def test_values_of_different_type_or_shape_differ(values: list[Any]) -> None:
    prints = [fingerprint(v) for v in values]
    assert len(set(prints)) == len(prints)


def test_unordered_containers_ignore_order() -> None:
    assert fingerprint({"x": 1, "y": 2}) == fingerprint({"y": 2, "x": 1})
    assert fingerprint({"b", "a", "c"}) == fingerprint({"c", "b", "a"})
    assert fingerprint(frozenset({1, 2})) == fingerprint({2, 1})
    assert fingerprint([1, 2]) != fingerprint([2, 1])


def test_equal_floats_and_decimals_agree() -> None:
    assert fingerprint(0.0) == fingerprint(-0.0)
    assert fingerprint(float("nan")) == fingerprint(float("nan"))
    assert fingerprint(decimal.Decimal("1.0")) == fingerprint(decimal.Decimal("1.00"))
    assert fingerprint(decimal.Decimal("0.00")) == fingerprint(decimal.Decimal("0"))
    assert fingerprint(0.1) != fingerprint(0.1000000001)


class Color(enum.Enum):
    RED = 1
    BLUE = 2


@dataclasses.dataclass
class Point:
    x: int
    y: float


@dataclasses.dataclass
class OtherPoint:
    x: int
    y: float


def test_enums_dataclasses_and_small_types() -> None:
    assert fingerprint(Color.RED) != fingerprint(Color.BLUE)
    assert fingerprint(Color.RED) != fingerprint(1)
    assert fingerprint(Point(1, 2.0)) == fingerprint(Point(1, 2.0))
    assert fingerprint(Point(1, 2.0)) != fingerprint(Point(1, 2.5))
    assert fingerprint(Point(1, 2.0)) != fingerprint(OtherPoint(1, 2.0))
    u = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert fingerprint(u) == fingerprint(uuid.UUID(str(u)))
    assert fingerprint(dt.timedelta(hours=1)) == fingerprint(dt.timedelta(minutes=60))
    assert fingerprint(pathlib.Path("a/b")) == fingerprint(pathlib.PurePosixPath("a/b"))


class Serializable:
    def __init__(self, value: str) -> None:
        self.value = value

    def gokart_serialize(self) -> str:
        return self.value


class CustomPrint:
    def __init__(self, value: int) -> None:
        self.value = value

    def __kart_fingerprint__(self) -> object:
        return ("v1", self.value)


def test_objects_that_describe_themselves() -> None:
    assert fingerprint(Serializable("a")) == fingerprint(Serializable("a"))
    assert fingerprint(Serializable("a")) != fingerprint(Serializable("b"))
    assert fingerprint(Serializable("a")) != fingerprint("a")
    assert fingerprint(CustomPrint(3)) == fingerprint(CustomPrint(3))
    assert fingerprint(CustomPrint(3)) != fingerprint(CustomPrint(4))


def test_unsupported_values_name_type_and_place() -> None:
    with pytest.raises(TypeError, match=r"value\['k'\]\[2\]: cannot fingerprint builtins.function"):
        fingerprint({"k": [1, 2, lambda: 1]})
    with pytest.raises(TypeError, match="BytesIO"):
        fingerprint([io.BytesIO()])
    with socket.socket() as sock, pytest.raises(TypeError, match="socket"):
        fingerprint(sock)
    with pytest.raises(TypeError, match="cannot fingerprint"):
        fingerprint(object())


def test_self_containing_values_are_rejected() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    with pytest.raises(TypeError, match="contains itself"):
        fingerprint(loop)
    shared = [1]
    assert fingerprint([shared, shared]) == fingerprint([[1], [1]])


def test_numpy_arrays_by_content_dtype_and_shape() -> None:
    a = np.arange(12, dtype=np.float64).reshape(3, 4)
    assert fingerprint(a) == fingerprint(a.copy())
    assert fingerprint(a) != fingerprint(a.astype(np.float32))
    assert fingerprint(a) != fingerprint(a.reshape(4, 3))
    assert fingerprint(a.T) == fingerprint(np.ascontiguousarray(a.T))
    assert fingerprint(a[:, ::2]) == fingerprint(a[:, ::2].copy())
    b = a.copy()
    b[2, 3] += 1e-12
    assert fingerprint(a) != fingerprint(b)
    assert fingerprint(np.array(["x", None, 1], dtype=object)) == fingerprint(
        np.array(["x", None, 1], dtype=object)
    )
    assert fingerprint(np.array(["x", "y"], dtype=object)) != fingerprint(np.array(["xy", ""], dtype=object))
    assert fingerprint(np.float64(1.5)) == fingerprint(np.array(1.5))


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "i": np.arange(5),
            "f": np.linspace(0, 1, 5),
            "s": list("abcde"),
            "c": pd.Categorical(list("xyxyx")),
            "t": pd.date_range("2024-01-01", periods=5, tz="UTC"),
            "n": pd.array([1, None, 3, 4, 5], dtype="Int64"),
        }
    )


def test_dataframes_by_content_columns_index_and_dtypes() -> None:
    df = _frame()
    base = fingerprint(df)
    assert base == fingerprint(_frame())
    assert base != fingerprint(df[list(reversed(df.columns))])
    assert base != fingerprint(df.set_axis(list("vwxyz")))
    assert base != fingerprint(df.astype({"i": "int32"}))
    changed = df.copy()
    changed.loc[4, "s"] = "E"
    assert base != fingerprint(changed)
    recategorised = df.copy()
    recategorised["c"] = pd.Categorical(list("xyxyx"), categories=["y", "x"])
    assert base != fingerprint(recategorised)
    assert base != fingerprint(df.assign(t=pd.date_range("2024-01-01", periods=5, tz="Asia/Tokyo")))


def test_series_and_indexes() -> None:
    s = pd.Series([1.0, 2.0], name="a")
    assert fingerprint(s) == fingerprint(pd.Series([1.0, 2.0], name="a"))
    assert fingerprint(s) != fingerprint(s.rename("b"))
    assert fingerprint(pd.Index([1, 2])) != fingerprint(pd.RangeIndex(1, 3))
    multi = pd.MultiIndex.from_tuples([("a", 1), ("b", 2)])
    assert fingerprint(multi) == fingerprint(pd.MultiIndex.from_tuples([("a", 1), ("b", 2)]))
    assert fingerprint(pd.NA) != fingerprint(None)
    assert fingerprint(pd.Timestamp("2024-01-01")) == fingerprint(pd.Timestamp("2024-01-01"))
