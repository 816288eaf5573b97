"""The same value gives the same fingerprint in fresh interpreters with any PYTHONHASHSEED."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SCRIPT = """
import datetime, decimal, enum, sys
import numpy as np, pandas as pd
import kart_hash
value = {
    "strings": {"alpha", "beta", "gamma", "delta"},
    "nested": {"z": [1, 2.5, None], "a": ("t", b"b", frozenset({"x", "y"}))},
    "when": datetime.datetime(2024, 5, 6, 7, 8, 9),
    "amount": decimal.Decimal("12.50"),
    "array": np.arange(10, dtype=np.int32),
    "frame": pd.DataFrame({"s": ["a", "b"], "f": [1.0, 2.0]}),
}
print(kart_hash.fingerprint(value))
"""


@pytest.mark.parametrize("seeds", [("0", "1", "4242", "random")])
def test_same_fingerprint_in_fresh_processes(seeds: tuple[str, ...]) -> None:
    prints = set()
    for seed in seeds:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
        )
        prints.add(out.stdout.strip())
    assert len(prints) == 1
    (value,) = prints
    assert len(value) == 64
