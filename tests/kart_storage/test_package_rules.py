"""kart-storage's package rules: one error family (each error also the standard type it stands for).

The source rules (no `assert`, no import cycle) are in test_module_graph.py."""

from __future__ import annotations

import inspect

import pytest

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


def test_errors_that_were_plain_built_ins_keep_their_built_in_types() -> None:
    assert issubclass(kart_storage.MissingExtraError, kart_storage.MissingModuleError)
    assert issubclass(kart_storage.MissingModuleError, ImportError)
    assert issubclass(kart_storage.StorageArgumentError, ValueError)
    assert issubclass(kart_storage.MissingInMemoryDataError, ValueError)
    assert issubclass(kart_storage.MissingCacheEntryError, AssertionError)
    assert issubclass(kart_storage.UnstorableValueError, TypeError)
    assert issubclass(kart_storage.FeatherIndexError, AssertionError)


def test_a_bad_extension_and_a_missing_cache_key_raise_the_family_with_the_old_messages() -> None:
    with pytest.raises(ValueError, match=r"^extension must look like '\.ext', got 'yaml'$") as bad:
        kart_storage.register_file_processor("yaml", kart_storage.TextFileProcessor())
    assert isinstance(bad.value, kart_storage.StorageArgumentError)
    with pytest.raises(AssertionError, match=r"^no-such-key does not exist\.$") as missing:
        kart_storage.InMemoryCacheRepository().remove("no-such-key")
    assert isinstance(missing.value, kart_storage.MissingCacheEntryError)
    with pytest.raises(TypeError, match="unsupported type for required task outputs") as labels:
        kart_storage.task_state_labels("gs://bucket/a.pkl", required_task_outputs={"x"})
    assert isinstance(labels.value, kart_storage.UnstorableValueError)
