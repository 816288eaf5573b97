"""Stable content fingerprints of Python values, for cache keys that survive process restarts.

Every value is fed to one SHA-256 as a type tag followed by length-prefixed payload, so values of
different types never collide by accident (1, 1.0, True and "1" differ) and concatenations are
unambiguous (["ab", "c"] differs from ["a", "bc"]). Unordered containers (dict, set) fingerprint
each item on its own and feed the sorted item digests, so insertion order never matters.
Nothing depends on `hash()` or `id()`, hence nothing on PYTHONHASHSEED or the process.

numpy and pandas are supported without importing them: an object can only be an ndarray if
numpy is already imported, so the checks look in `sys.modules`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import math
import pathlib
import struct
import sys
import uuid
from array import array
from collections.abc import Callable
from typing import Any, cast

from ._errors import UnsupportedValueError
from ._feeder import _ROOT, _Feeder, _Path

_F64 = struct.Struct(">d")
_CANONICAL_NAN = _F64.pack(math.nan)


def fingerprint(obj: object) -> str:
    """A 64-hex SHA-256 of `obj`'s content, equal for equal values in any process.

    Raises TypeError naming the unsupported type and where it sits inside `obj`.
    """
    feeder = _Feeder()
    _feed(feeder, obj, _ROOT)
    return feeder.digest.hexdigest()


def _sub_digest(obj: object, where: _Path, active: set[int]) -> bytes:
    feeder = _Feeder()
    feeder.active = active
    _feed(feeder, obj, where)
    return feeder.digest.digest()


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _feed(f: _Feeder, obj: object, where: _Path) -> None:
    cls = type(obj)
    handler = _EXACT.get(cls)
    if handler is not None:
        handler(f, obj, where)
        return
    _feed_other(f, obj, where)


def _feed_none(f: _Feeder, obj: object, where: _Path) -> None:
    f.atom(b"N", b"")


def _feed_bool(f: _Feeder, obj: object, where: _Path) -> None:
    f.atom(b"?", b"1" if obj else b"0")


def _feed_int(f: _Feeder, obj: object, where: _Path) -> None:
    typed = cast(int, obj)
    f.atom(b"i", str(int(typed)).encode("ascii"))


def _float_bytes(value: float) -> bytes:
    if value != value:
        return _CANONICAL_NAN
    return _F64.pack(value + 0.0)  # -0.0 + 0.0 == 0.0: equal values, equal bytes


def _feed_float(f: _Feeder, obj: object, where: _Path) -> None:
    typed = cast(float, obj)
    f.atom(b"f", _float_bytes(float(typed)))


def _feed_complex(f: _Feeder, obj: object, where: _Path) -> None:
    typed = cast(complex, obj)
    f.atom(b"c", _float_bytes(typed.real) + _float_bytes(typed.imag))


def _feed_str(f: _Feeder, obj: object, where: _Path) -> None:
    typed = cast(str, obj)
    f.text(b"s", typed)


def _feed_bytes(f: _Feeder, obj: object, where: _Path) -> None:
    typed = cast(bytes | bytearray | memoryview, obj)
    view = typed if isinstance(typed, memoryview) else memoryview(typed)
    f.atom(b"b", view.cast("B") if view.c_contiguous else view.tobytes())


def _enter(f: _Feeder, obj: object, where: _Path) -> None:
    key = id(obj)
    if key in f.active:
        raise UnsupportedValueError(
            f"{where}: cannot fingerprint a value that contains itself ({type(obj).__name__})"
        )
    f.active.add(key)


def _feed_sequence(tag: bytes) -> Callable[[_Feeder, object, _Path], None]:
    def feed(f: _Feeder, obj: object, where: _Path) -> None:
        typed = cast("list[Any] | tuple[Any, ...]", obj)
        _enter(f, typed, where)
        f.count(tag, len(typed))
        for index, item in enumerate(typed):
            _feed(f, item, _Path(where, f"[{index}]"))
        f.active.discard(id(typed))

    return feed


def _feed_unordered(tag: bytes) -> Callable[[_Feeder, object, _Path], None]:
    def feed(f: _Feeder, obj: object, where: _Path) -> None:
        typed = cast("set[Any] | frozenset[Any]", obj)
        _enter(f, typed, where)
        item_digests = sorted(_sub_digest(item, _Path(where, "{item}"), f.active) for item in typed)
        f.count(tag, len(item_digests))
        for item_digest in item_digests:
            f.digest.update(item_digest)
        f.active.discard(id(typed))

    return feed


def _feed_dict(f: _Feeder, obj: object, where: _Path) -> None:
    typed = cast("dict[Any, Any]", obj)
    _enter(f, typed, where)
    pair_digests = []
    for key, value in typed.items():
        pair = _Feeder()
        pair.active = f.active
        _feed(pair, key, _Path(where, f"<key {key!r}>"))
        _feed(pair, value, _Path(where, f"[{key!r}]"))
        pair_digests.append(pair.digest.digest())
    pair_digests.sort()
    f.count(b"d", len(pair_digests))
    for pair_digest in pair_digests:
        f.digest.update(pair_digest)
    f.active.discard(id(typed))


def _feed_date(f: _Feeder, obj: object, where: _Path) -> None:
    typed = cast(dt.date | dt.time | dt.datetime, obj)
    tag = {dt.datetime: b"T", dt.date: b"D", dt.time: b"t"}[type(typed)]
    f.text(tag, typed.isoformat())


def _feed_timedelta(f: _Feeder, obj: object, where: _Path) -> None:
    typed = cast(dt.timedelta, obj)
    f.text(b"td", f"{typed.days},{typed.seconds},{typed.microseconds}")


def _feed_decimal(f: _Feeder, obj: object, where: _Path) -> None:
    typed = cast(decimal.Decimal, obj)
    value = typed.normalize() if typed.is_finite() else typed
    f.text(b"m", str(value) if not typed.is_zero() else "0")


def _feed_uuid(f: _Feeder, obj: object, where: _Path) -> None:
    typed = cast(uuid.UUID, obj)
    f.atom(b"u", typed.bytes)


def _feed_path(f: _Feeder, obj: object, where: _Path) -> None:
    typed = cast(pathlib.PurePath, obj)
    flavour = "windows" if isinstance(typed, pathlib.PureWindowsPath) else "posix"
    f.text(b"p", f"{flavour}:{typed.as_posix()}")


def _feed_array_module(f: _Feeder, obj: object, where: _Path) -> None:
    typed = cast("array[Any]", obj)
    f.text(b"A", typed.typecode)
    data = typed if sys.byteorder == "little" else _swapped(typed)
    f.atom(b"b", memoryview(data).cast("B"))


def _swapped(obj: array[Any]) -> array[Any]:
    copy = array(obj.typecode, obj)
    copy.byteswap()
    return copy


_EXACT: dict[type, Callable[[_Feeder, object, _Path], None]] = {
    type(None): _feed_none,
    bool: _feed_bool,
    int: _feed_int,
    float: _feed_float,
    complex: _feed_complex,
    str: _feed_str,
    bytes: _feed_bytes,
    bytearray: _feed_bytes,
    memoryview: _feed_bytes,
    list: _feed_sequence(b"l"),
    tuple: _feed_sequence(b"("),
    set: _feed_unordered(b"{"),
    frozenset: _feed_unordered(b"{"),
    dict: _feed_dict,
    dt.datetime: _feed_date,
    dt.date: _feed_date,
    dt.time: _feed_date,
    dt.timedelta: _feed_timedelta,
    decimal.Decimal: _feed_decimal,
    uuid.UUID: _feed_uuid,
    array: _feed_array_module,
}


def _feed_other(f: _Feeder, obj: object, where: _Path) -> None:
    """Types matched by protocol or subclassing, checked in a fixed order."""
    cls = type(obj)
    custom = getattr(obj, "__kart_fingerprint__", None)
    if custom is not None and callable(custom):
        f.text(b"K", _qualified(cls))
        _feed(f, custom(), _Path(where, ".__kart_fingerprint__()"))
        return
    serialize = getattr(obj, "gokart_serialize", None)
    if serialize is not None and callable(serialize):
        f.text(b"G", _qualified(cls))
        _feed(f, serialize(), _Path(where, ".gokart_serialize()"))
        return
    if isinstance(obj, enum.Enum):
        f.text(b"E", f"{_qualified(cls)}.{obj.name}")
        return
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        _enter(f, obj, where)
        fields = dataclasses.fields(obj)
        f.text(b"C", _qualified(cls))
        f.count(b"c", len(fields))
        for field in fields:
            f.text(b"s", field.name)
            _feed(f, getattr(obj, field.name), _Path(where, f".{field.name}"))
        f.active.discard(id(obj))
        return
    if isinstance(obj, pathlib.PurePath):
        _feed_path(f, obj, where)
        return
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        if isinstance(obj, numpy.ndarray):
            _feed_ndarray(f, obj, where)
            return
        if isinstance(obj, numpy.generic):
            _feed_ndarray(f, numpy.asarray(obj), where)
            return
    pandas = sys.modules.get("pandas")
    if pandas is not None and _feed_pandas(f, pandas, obj, where):
        return
    # Subclasses of the exact types (IntEnum is handled above): fingerprint as their base value,
    # tagged with the subclass so a str subclass never equals a plain str.
    for base, handler in _EXACT.items():
        if base is not type(None) and isinstance(obj, base):
            f.text(b"S", _qualified(cls))
            handler(f, obj, where)
            return
    raise UnsupportedValueError(
        f"{where}: cannot fingerprint {_qualified(cls)}; supported: None, bool, int, float, complex, str, "
        "bytes, list, tuple, dict, set, dataclasses, enums, date/time, Decimal, UUID, Path, numpy arrays, "
        "pandas objects, or objects defining __kart_fingerprint__() or gokart_serialize()"
    )


def _feed_ndarray(f: _Feeder, arr: Any, where: _Path) -> None:
    f.text(b"nd", arr.dtype.str if arr.dtype.fields is None else str(arr.dtype.descr))
    f.text(b"sh", ",".join(map(str, arr.shape)))
    if arr.dtype.hasobject:
        _feed_object_values(f, arr.ravel(order="C"), where)
        return
    data = arr if arr.flags.c_contiguous else arr.copy(order="C")
    # reshape(-1) of a C-contiguous array is a view: the buffer is hashed in place, never copied
    f.atom(b"b", memoryview(data.reshape(-1)).cast("B"))


def _feed_object_values(f: _Feeder, values: Any, where: _Path) -> None:
    """Object-dtype data; all-str columns take a fast path (lengths + one joined buffer)."""
    n = len(values)
    if all(type(item) is str for item in values):
        encoded = [item.encode("utf-8", "surrogatepass") for item in values]
        f.count(b"os", n)
        f.atom(b"b", memoryview(array("q", map(len, encoded))).cast("B"))
        f.atom(b"b", b"".join(encoded))
        return
    f.count(b"ov", n)
    for index, item in enumerate(values):
        _feed(f, item, _Path(where, f"[{index}]"))


def _feed_pandas(f: _Feeder, pd: Any, obj: object, where: _Path) -> bool:
    if obj is pd.NA:
        f.atom(b"NA", b"")
        return True
    if obj is pd.NaT:
        f.atom(b"NaT", b"")
        return True
    if isinstance(obj, pd.Timestamp):
        f.text(b"TS", obj.isoformat())
        return True
    if isinstance(obj, pd.DataFrame):
        f.count(b"DF", obj.shape[1])
        _feed_index(f, pd, obj.columns, _Path(where, ".columns"))
        _feed_index(f, pd, obj.index, _Path(where, ".index"))
        for position in range(obj.shape[1]):
            column = obj.iloc[:, position]
            _feed_column(f, pd, column.array, _Path(where, f".iloc[:, {position}]"))
        return True
    if isinstance(obj, pd.Series):
        f.atom(b"SR", b"")
        _feed(f, obj.name, _Path(where, ".name"))
        _feed_index(f, pd, obj.index, _Path(where, ".index"))
        _feed_column(f, pd, obj.array, where)
        return True
    if isinstance(obj, pd.Index):
        _feed_index(f, pd, obj, where)
        return True
    return False


def _feed_index(f: _Feeder, pd: Any, index: Any, where: _Path) -> None:
    if isinstance(index, pd.RangeIndex):
        f.text(b"RI", f"{index.start},{index.stop},{index.step}")
        _feed(f, index.name, _Path(where, ".name"))
        return
    if isinstance(index, pd.MultiIndex):
        f.count(b"MI", index.nlevels)
        _feed(f, list(index.names), _Path(where, ".names"))
        _feed_object_values(f, index.to_numpy(), where)
        return
    f.atom(b"IX", b"")
    _feed(f, index.name, _Path(where, ".name"))
    _feed_column(f, pd, index.array, where)


def _feed_column(f: _Feeder, pd: Any, values: Any, where: _Path) -> None:
    """One column's ExtensionArray: numpy-backed data by buffer, other kinds by their parts."""
    f.text(b"dt", str(values.dtype))
    if isinstance(values, pd.Categorical):
        _feed_index(f, pd, values.categories, _Path(where, ".categories"))
        _feed_ndarray(f, values.codes, _Path(where, ".codes"))
    elif isinstance(values, pd.arrays.DatetimeArray | pd.arrays.TimedeltaArray | pd.arrays.PeriodArray):
        _feed_ndarray(f, values.asi8, where)  # the dtype text above carries unit, tz and freq
    elif isinstance(values, pd.arrays.NumpyExtensionArray):
        _feed_ndarray(f, values.to_numpy(copy=False), where)
    else:  # masked, string, arrow and other extension arrays: by value, missing values as pd.NA
        _feed_object_values(f, values.to_numpy(dtype=object), where)
