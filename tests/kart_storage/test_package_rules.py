"""kart-storage's package rules: one error family (each error also the standard type it stands for).

The source rules (no `assert`, no import cycle) are in test_module_graph.py."""

from __future__ import annotations

import inspect

import kart_storage


def test_every_exported_exception_derives_from_kart_storage_error() -> None:
    exported = [getattr(kart_storage, name) for name in kart_storage.__all__]
    errors = [
        obj
        for obj in exported
        if inspect.isclass(obj) and issubclass(obj, BaseException) and not issubclass(obj, Warning)
    ]
    assert kart_storage.TargetNotFoundError in errors
    assert [cls.__name__ for cls in errors if not issubclass(cls, kart_storage.KartStorageError)] == []


def test_errors_keep_the_standard_types_they_stand_for() -> None:
    assert issubclass(kart_storage.TargetNotFoundError, FileNotFoundError)
    assert issubclass(kart_storage.TargetExistsError, FileExistsError)
    assert issubclass(kart_storage.UnsupportedExtensionError, ValueError)
    assert issubclass(kart_storage.UnsupportedExtensionError, AssertionError)
    assert issubclass(kart_storage.CorruptTargetError, ValueError)
    assert issubclass(kart_storage.StorageConfigurationError, RuntimeError)
    assert issubclass(kart_storage.UnsafePathError, ValueError)
