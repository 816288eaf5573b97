"""The gokart meta-package pins its slim parts: installing gokart[all] brings every kart library
and every storage extra (in CI this runs in a venv holding only gokart[all] and its test group)."""

from __future__ import annotations

import importlib
import importlib.metadata

import pytest

import gokart


@pytest.mark.parametrize(
    "module",
    [
        "kart_hash",
        "kart_storage",
        "kart_lock",
        "kart_notify",
        "kart_task",
        "boto3",
        "google.cloud.storage",
        "pyarrow",
        "polars",
    ],
)
def test_dependencies_and_extras_are_installed(module: str) -> None:
    importlib.import_module(module)


def test_meta_package_declares_a_gokart_1_12_compatible_version() -> None:
    assert gokart.__version__ == importlib.metadata.version("gokart")
    assert gokart.__version__.startswith("1.12.")
