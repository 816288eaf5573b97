"""Whether a frame pandas parsed from a csv's own bytes holds a carriage return in a value or a name.

Read from a path, pandas parses on two threads and takes about half the wall time it takes from a
Python stream; but gokart reads csv in text mode, which turns `\\r\\n` and a lone `\\r` into `\\n` before
pandas sees them. Outside quotes pandas ends a line at either as well; only inside quoted values do the
two reads differ, and there the untranslated read keeps a `\\r` in the value. So a frame without one
is exactly what text mode would have loaded, and a frame with one is read again the text-mode way."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pandas as pd

_CR = 0x0D
#: dtype kinds that never hold text: bool, integers, floats, complex, datetimes, timedeltas
_NO_TEXT = frozenset("biufcmM")


def has_carriage_return(frame: pd.DataFrame) -> bool:
    """Whether any column name or text value of `frame` contains `\\r`."""
    if any("\r" in str(name) for name in frame.columns):
        return True
    return any(
        _column_has_carriage_return(frame.iloc[:, position])
        for position in range(frame.shape[1])
        if frame.dtypes.iloc[position].kind not in _NO_TEXT
    )


def _column_has_carriage_return(column: pd.Series) -> bool:
    found = _arrow_strings_have_carriage_return(column)
    if found is not None:
        return found
    return any(isinstance(value, str) and "\r" in value for value in column.array)


def _arrow_strings_have_carriage_return(column: pd.Series) -> bool | None:
    """Scan the UTF-8 data buffers of pyarrow-backed strings (pandas 3's default `str`) without making
    a Python string per value; None for other storage. A byte outside the values (a sliced buffer) can
    only answer True, which costs a second read, never a wrong frame."""
    dtype = column.dtype
    if not isinstance(dtype, pd.StringDtype) or dtype.storage != "pyarrow":
        return None
    try:
        pyarrow: Any = importlib.import_module("pyarrow")
    except ImportError:
        return None
    array = pyarrow.array(column.array)  # zero-copy for arrow-backed strings
    chunks = array.chunks if hasattr(array, "chunks") else [array]
    plain = (pyarrow.string(), pyarrow.large_string())
    if any(chunk.type not in plain for chunk in chunks):
        return None  # other layouts (string views keep short values outside the data buffers)
    for chunk in chunks:
        data = chunk.buffers()[2]
        if data is not None and bool((np.frombuffer(data, dtype=np.uint8) == _CR).any()):
            return True
    return False
