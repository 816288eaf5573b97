"""Pickle files that upstream gokart (which uses dill) and kart read alike, with or without dill.

Writing: dill when it is importable (then the bytes equal upstream's), else the standard pickler at the
same protocol 4; dill loads both. Reading: dill when importable; otherwise a standard unpickler that
understands the few dill helpers data pickles reference (numpy arrays are wrapped by
`dill._dill._create_array`), so a DataFrame cached by upstream loads without dill.
"""

from __future__ import annotations

import builtins
import importlib
import pickle
import types
from collections.abc import Callable
from typing import IO, Any

from ._large_frames import LargeDataFrameProcessor

PROTOCOL = 4
_MAX_WRITE = 2**31 - 1


_dill_lookup: list[Any] = []


def _dill() -> Any | None:
    """dill, looked up once: a failed import scans every sys.path entry again, which cost more than the
    pickling itself for small task outputs."""
    if not _dill_lookup:
        try:
            _dill_lookup.append(importlib.import_module("dill"))
        except ImportError:
            _dill_lookup.append(None)
    return _dill_lookup[0]


def forget_dill_lookup() -> None:
    """Look dill up again on the next dump or load (part of `kart_storage.reset`): notices dill installed
    or removed since the first lookup."""
    _dill_lookup.clear()


def _create_array(
    factory: Callable[..., Any], args: tuple[Any, ...], state: Any, npdict: dict[str, Any] | None = None
) -> Any:
    array = factory(*args)
    array.__setstate__(state)
    if npdict is not None:
        array.__dict__.update(npdict)
    return array


def _load_type(name: str) -> Any:
    for namespace in (builtins, types):
        found = getattr(namespace, name, None)
        if isinstance(found, type):
            return found
    raise pickle.UnpicklingError(f"dill type {name!r} needs dill to load: pip install dill")


_DILL_SHIMS: dict[str, Callable[..., Any]] = {"_create_array": _create_array, "_load_type": _load_type}


class _DillFreeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module in ("dill._dill", "dill.dill") and name in _DILL_SHIMS:
            return _DILL_SHIMS[name]
        if module == "gokart.target" and name == "LargeDataFrameProcessor":
            try:
                return super().find_class(module, name)
            except ImportError:
                return LargeDataFrameProcessor
        return super().find_class(module, name)


def dump(obj: object, file: IO[bytes]) -> None:
    dill = _dill()
    if dill is not None:
        payload: bytes = dill.dumps(obj, protocol=PROTOCOL)
        view = memoryview(payload)
        for start in range(0, len(view), _MAX_WRITE):
            file.write(view[start : start + _MAX_WRITE])
        return
    try:
        pickle.dump(obj, file, protocol=PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        exc.add_note("gokart pickles with dill, which handles lambdas and local objects: pip install dill")
        raise


def load(file: IO[bytes]) -> Any:
    dill = _dill()
    if dill is not None:
        return dill.load(file)
    return _DillFreeUnpickler(file).load()
