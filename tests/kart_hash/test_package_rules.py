"""kart-hash's package rules: one error family (each error also the standard type it stands for).

The source rules (no `assert`, no import cycle) are in test_module_graph.py."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import kart_hash


def test_every_exported_exception_derives_from_kart_hash_error() -> None:
    exported = [getattr(kart_hash, name) for name in kart_hash.__all__]
    errors = [obj for obj in exported if inspect.isclass(obj) and issubclass(obj, BaseException)]
    assert kart_hash.KartHashError in errors
    assert [cls.__name__ for cls in errors if not issubclass(cls, kart_hash.KartHashError)] == []


def test_errors_raised_are_in_the_family_and_of_the_standard_type(tmp_path: Path) -> None:
    with pytest.raises(kart_hash.UnsupportedValueError) as unsupported:
        kart_hash.fingerprint(object())
    assert isinstance(unsupported.value, TypeError)
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(TypeError, match="contains itself"):
        kart_hash.fingerprint(loop)
    with pytest.raises(kart_hash.InvalidInputError):
        kart_hash.parse_task_parameter_text("not json")
    with pytest.raises(ValueError, match="unknown digest algorithm"):
        kart_hash.file_digest(__file__, "no-such-hash")
    with pytest.raises(FileNotFoundError) as missing:
        kart_hash.file_digest(f"{tmp_path}/missing.bin")
    assert isinstance(missing.value, kart_hash.KartHashError)
    with pytest.raises(kart_hash.UnsupportedValueError):
        kart_hash.unique_id([3.5], {}, "Task")  # type: ignore[list-item]
