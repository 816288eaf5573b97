"""The memory backend: the shared conformance suite plus isolation between stores."""

from __future__ import annotations

import uuid

import pytest
from filesystem_conformance import FileSystemConformance

import kart_storage
from kart_storage import FileSystem, MemoryFileSystem


class TestMemoryFileSystem(FileSystemConformance):
    supports_metadata = True

    @pytest.fixture
    def filesystem(self) -> FileSystem:
        shared = kart_storage.filesystem_for("memory://")
        assert isinstance(shared, MemoryFileSystem)
        return shared

    @pytest.fixture
    def root(self) -> str:
        return f"memory://conformance-{uuid.uuid4().hex}"


def test_separate_stores_do_not_share_objects() -> None:
    first, second = MemoryFileSystem(), MemoryFileSystem()
    with first.open_write("memory://a") as stream:
        stream.write(b"1")
    assert first.exists("memory://a")
    assert not second.exists("memory://a")
    first.clear()
    assert not first.exists("memory://a")


def test_size_and_stored_bytes_are_a_copy() -> None:
    store = MemoryFileSystem()
    with store.open_write("memory://s") as stream:
        stream.write(b"12345")
    assert store.size("memory://s") == 5
    with store.open_read("memory://s") as stream:
        stream.read(2)
    with store.open_read("memory://s") as stream:
        assert stream.read() == b"12345"
