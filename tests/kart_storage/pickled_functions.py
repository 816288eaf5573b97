"""Save/load functions for model targets in the integrity and signing tests (importable by name, so the
pickled loader in a model zip unpickles in any test process)."""

from __future__ import annotations

import pickle
from typing import Any


def save_pickle(obj: Any, path: str) -> None:
    with open(path, "wb") as handle:
        pickle.dump(obj, handle)


def load_pickle(path: str) -> Any:
    with open(path, "rb") as handle:
        return pickle.load(handle)
