"""kart_storage.reset() forgets what the package built in this process and keeps what callers configured;
the per-process caches notice the changes they must notice."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

import kart_storage
from kart_storage import _integrity, _pickle


def test_reset_is_public_and_documented() -> None:
    assert "reset" in kart_storage.__all__
    assert kart_storage.reset.__doc__ is not None
    assert "Kept" in kart_storage.reset.__doc__


def test_file_systems_and_their_clients_are_built_again_after_reset() -> None:
    first = kart_storage.filesystem_for("data/x.pkl")
    assert kart_storage.filesystem_for("data/y.pkl") is first  # built once, then reused
    kart_storage.reset()
    assert kart_storage.filesystem_for("data/x.pkl") is not first


def test_reset_keeps_configured_s3_settings() -> None:
    pytest.importorskip("boto3")
    config = kart_storage.S3Config(endpoint_url="http://127.0.0.1:1", region_name="eu-west-3")
    kart_storage.configure_s3(config)
    try:
        before = kart_storage.filesystem_for("s3://bucket/key")
        kart_storage.reset()
        after = kart_storage.filesystem_for("s3://bucket/key")
        assert isinstance(after, kart_storage.S3FileSystem)
        assert after is not before
        assert after.config == config
    finally:
        kart_storage.configure_s3()


def test_memory_paths_and_in_memory_targets_are_emptied() -> None:
    target = kart_storage.make_target("memory://reset/a.pkl")
    target.dump(1)
    in_memory = kart_storage.make_in_memory_target("reset-key", None)
    in_memory.dump(2)
    assert target.exists()
    assert in_memory.exists()
    kart_storage.reset()
    assert not kart_storage.make_target("memory://reset/a.pkl").exists()
    assert not in_memory.exists()
    assert kart_storage.InMemoryCacheRepository().empty()


def test_processors_are_built_again_and_registrations_stay() -> None:
    first = kart_storage.make_file_processor("a.csv")
    assert kart_storage.make_file_processor("b.csv") is first
    custom = kart_storage.TextFileProcessor()
    kart_storage.register_file_processor(".resettest", custom)
    try:
        kart_storage.reset()
        assert kart_storage.make_file_processor("c.csv") is not first
        assert kart_storage.make_file_processor("c.resettest") is custom
    finally:
        kart_storage.register_file_processor(".resettest", kart_storage.TextFileProcessor())


def test_lock_wrappers_and_overrides_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    from kart_storage import _filesystem, _targets

    monkeypatch.setattr(_targets, "_lock_wrappers", [])
    monkeypatch.setattr(_filesystem, "_overrides", {})
    memory = kart_storage.MemoryFileSystem()
    kart_storage.override_filesystem("file", lambda path: memory)

    def passthrough(func: Any, *_: Any) -> Any:
        return func

    wrappers = kart_storage.LockWrappers(dump=passthrough, load=passthrough, remove=passthrough)
    kart_storage.set_lock_wrappers(wrappers)
    kart_storage.reset()
    assert kart_storage.filesystem_for("local/x.pkl") is memory
    assert _targets._lock_wrappers == [wrappers]


def test_the_dill_lookup_is_done_once_and_again_after_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    before = _pickle._dill()
    fake = types.ModuleType("dill")
    monkeypatch.setitem(sys.modules, "dill", fake)
    assert _pickle._dill() is before  # looked up once per process: a later install is not seen...
    kart_storage.reset()
    assert _pickle._dill() is fake  # ...until reset


def test_writes_and_reads_agree_on_where_the_seal_is_when_a_class_gains_metadata() -> None:
    """No per-class answer kept: a file-system class that gains read_metadata after a first write is seen
    as keeping metadata by the next write and by the read, alike."""

    class Store(kart_storage.MemoryFileSystem):
        pass

    read_metadata = Store.read_metadata
    store = Store()
    Store.read_metadata = None  # type: ignore[assignment,method-assign]
    assert not _integrity.keeps_metadata(store)
    sealed = kart_storage.make_target("memory://agree/a.pkl", verify_integrity="strict")
    sidecar_target = kart_storage.SingleFileTarget(
        "s/a.pkl", kart_storage.PickleFileProcessor(), filesystem=store, integrity=sealed.integrity
    )
    sidecar_target.dump(1)
    assert store.exists("s/a.pkl.kart-digest")
    assert _integrity.read_seal(store, "s/a.pkl") is not None
    assert sidecar_target.load() == 1

    Store.read_metadata = read_metadata  # type: ignore[method-assign]
    assert _integrity.keeps_metadata(store)
    meta_target = kart_storage.SingleFileTarget(
        "m/a.pkl", kart_storage.PickleFileProcessor(), filesystem=store, integrity=sealed.integrity
    )
    meta_target.dump(2)
    assert not store.exists("m/a.pkl.kart-digest")
    assert _integrity.read_seal(store, "m/a.pkl") is not None
    assert meta_target.load() == 2
