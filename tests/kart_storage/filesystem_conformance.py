"""The contract every `FileSystem` backend must meet, written once (in the style of fsspec's abstract
tests). A backend's test module subclasses `FileSystemConformance` and provides two fixtures:
`filesystem` (the backend instance under test) and `root` (a fresh, empty directory/bucket URL).
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta

import pytest

import kart_storage
from kart_storage import FileSystem, TargetNotFoundError

LARGE_SIZE = 20 * 1024 * 1024  # above the S3 multipart threshold and the GCS resumable chunk size


class _Boom(Exception):
    """Raised inside a write block to prove nothing gets published."""


def _write_then_fail(filesystem: FileSystem, path: str, data: bytes) -> None:
    with filesystem.open_write(path) as stream:
        stream.write(data)
        raise _Boom


def _call(filesystem: FileSystem, operation: str, path: str) -> None:
    if operation == "open_read":
        with filesystem.open_read(path):
            return
    getattr(filesystem, operation)(path)


class FileSystemConformance:
    #: Whether `open_write(metadata=...)` is stored and readable back with `read_metadata`.
    supports_metadata = False

    @pytest.fixture
    def filesystem(self) -> FileSystem:
        raise NotImplementedError("a backend's test class provides the `filesystem` fixture")

    @pytest.fixture
    def root(self) -> str:
        raise NotImplementedError("a backend's test class provides the `root` fixture")

    @staticmethod
    def write(filesystem: FileSystem, path: str, data: bytes) -> None:
        with filesystem.open_write(path) as stream:
            stream.write(data)

    @staticmethod
    def read(filesystem: FileSystem, path: str) -> bytes:
        with filesystem.open_read(path) as stream:
            return stream.read()

    # --- identity -------------------------------------------------------------------------------

    def test_is_a_file_system_and_is_what_the_registry_picks(self, filesystem: FileSystem, root: str) -> None:
        assert isinstance(filesystem, FileSystem)
        assert type(kart_storage.filesystem_for(f"{root}/x.bin")) is type(filesystem)

    # --- reading and writing --------------------------------------------------------------------

    def test_round_trip(self, filesystem: FileSystem, root: str) -> None:
        path = f"{root}/data.bin"
        assert not filesystem.exists(path)
        self.write(filesystem, path, b"\x00kart\xff" * 100)
        assert filesystem.exists(path)
        assert self.read(filesystem, path) == b"\x00kart\xff" * 100

    def test_empty_object(self, filesystem: FileSystem, root: str) -> None:
        path = f"{root}/empty.bin"
        self.write(filesystem, path, b"")
        assert filesystem.exists(path)
        assert self.read(filesystem, path) == b""

    def test_reads_in_pieces(self, filesystem: FileSystem, root: str) -> None:
        path = f"{root}/pieces.bin"
        data = bytes(range(256)) * 64
        self.write(filesystem, path, data)
        with filesystem.open_read(path) as stream:
            pieces = [stream.read(1000) for _ in range(17)]
            assert stream.read(1) == b""
        assert b"".join(pieces) == data

    def test_overwrite_replaces_content(self, filesystem: FileSystem, root: str) -> None:
        path = f"{root}/over.txt"
        self.write(filesystem, path, b"first version, longer")
        self.write(filesystem, path, b"second")
        assert self.read(filesystem, path) == b"second"

    def test_nested_paths(self, filesystem: FileSystem, root: str) -> None:
        path = f"{root}/a/b/c/d/deep.bin"
        self.write(filesystem, path, b"deep")
        assert self.read(filesystem, path) == b"deep"
        assert not filesystem.exists(f"{root}/a/b/c/d/other.bin")

    def test_non_ascii_keys(self, filesystem: FileSystem, root: str) -> None:
        path = f"{root}/données/モデル_ü 1.pkl"
        self.write(filesystem, path, "é".encode())
        assert filesystem.exists(path)
        assert self.read(filesystem, path) == "é".encode()
        assert filesystem.exists_many([path, f"{root}/données/モデル_ü 2.pkl"]) == [True, False]
        filesystem.remove(path)
        assert not filesystem.exists(path)

    def test_large_object(self, filesystem: FileSystem, root: str) -> None:
        path = f"{root}/large.bin"
        block = os.urandom(1024 * 1024)
        with filesystem.open_write(path) as stream:
            for index in range(LARGE_SIZE // len(block)):
                stream.write(bytes([index]) + block[1:])
        with filesystem.open_read(path) as stream:
            for index in range(LARGE_SIZE // len(block)):
                assert stream.read(len(block)) == bytes([index]) + block[1:], f"block {index} differs"
            assert stream.read(1) == b""

    def test_concurrent_writers_to_different_paths(self, filesystem: FileSystem, root: str) -> None:
        paths = [f"{root}/parallel/{index}.bin" for index in range(8)]
        threads = [
            threading.Thread(target=self.write, args=(filesystem, path, path.encode())) for path in paths
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [self.read(filesystem, path) for path in paths] == [path.encode() for path in paths]

    # --- atomic publish -------------------------------------------------------------------------

    def test_nothing_visible_before_the_block_ends(self, filesystem: FileSystem, root: str) -> None:
        path = f"{root}/pending.bin"
        with filesystem.open_write(path) as stream:
            stream.write(b"half")
            assert not filesystem.exists(path)
        assert filesystem.exists(path)

    def test_exception_in_block_publishes_nothing(self, filesystem: FileSystem, root: str) -> None:
        path = f"{root}/failed.bin"
        with pytest.raises(_Boom):
            _write_then_fail(filesystem, path, b"partial")
        assert not filesystem.exists(path)
        with pytest.raises(TargetNotFoundError):
            _call(filesystem, "open_read", path)

    def test_failed_overwrite_keeps_the_old_content(self, filesystem: FileSystem, root: str) -> None:
        path = f"{root}/kept.bin"
        self.write(filesystem, path, b"good")
        with pytest.raises(_Boom):
            _write_then_fail(filesystem, path, b"bad")
        assert self.read(filesystem, path) == b"good"

    # --- remove and missing objects -------------------------------------------------------------

    def test_remove(self, filesystem: FileSystem, root: str) -> None:
        path = f"{root}/gone.bin"
        self.write(filesystem, path, b"x")
        filesystem.remove(path)
        assert not filesystem.exists(path)
        with pytest.raises(TargetNotFoundError):
            filesystem.remove(path)

    @pytest.mark.parametrize("operation", ["open_read", "remove", "last_modified"])
    def test_missing_raises_one_error_type(self, filesystem: FileSystem, root: str, operation: str) -> None:
        path = f"{root}/missing/nothing.bin"
        with pytest.raises(TargetNotFoundError) as caught:
            _call(filesystem, operation, path)
        assert isinstance(caught.value, FileNotFoundError)
        assert caught.value.path == path
        assert path in str(caught.value)

    # --- existence in bulk ------------------------------------------------------------------------

    def test_exists_many_mixed_and_ordered(self, filesystem: FileSystem, root: str) -> None:
        present = {f"{root}/many/{index:03d}.pkl" for index in range(0, 60, 3)}
        for path in present:
            self.write(filesystem, path, b"1")
        self.write(filesystem, f"{root}/elsewhere/x.pkl", b"1")
        queried = [f"{root}/many/{index:03d}.pkl" for index in reversed(range(60))]
        queried += [f"{root}/elsewhere/x.pkl", f"{root}/elsewhere/y.pkl", f"{root}/many/sub/000.pkl"]
        expected = [path in present for path in queried[:60]] + [True, False, False]
        assert filesystem.exists_many(queried) == expected
        assert filesystem.exists_many(queried) == [filesystem.exists(path) for path in queried]

    def test_exists_many_of_nothing(self, filesystem: FileSystem) -> None:
        assert filesystem.exists_many([]) == []

    def test_exists_many_does_not_count_similar_names(self, filesystem: FileSystem, root: str) -> None:
        for index in range(20):
            self.write(filesystem, f"{root}/near/{index}.pkl.bak", b"1")
        queried = [f"{root}/near/{index}.pkl" for index in range(20)] + [f"{root}/near/3.pkl.bak"]
        assert filesystem.exists_many(queried) == [False] * 20 + [True]

    # --- modification time and metadata ---------------------------------------------------------

    def test_last_modified_is_aware_utc(self, filesystem: FileSystem, root: str) -> None:
        path = f"{root}/stamped.bin"
        self.write(filesystem, path, b"t")
        moment = filesystem.last_modified(path)
        assert isinstance(moment, datetime)
        assert moment.utcoffset() == timedelta(0)
        # The stores' clocks are this machine's; a generous window only catches wrong zones/units.
        assert abs(moment - datetime.now(UTC)) < timedelta(minutes=5)

    def test_metadata_round_trip(self, filesystem: FileSystem, root: str) -> None:
        path = f"{root}/labelled.csv"
        labels = {"__required_task_outputs": '[{"__gokart_task_name": "t"}]', "param": "1"}
        with filesystem.open_write(path, metadata=labels) as stream:
            stream.write(b"a,b\n")
        assert self.read(filesystem, path) == b"a,b\n"
        if not self.supports_metadata:
            return
        stored = filesystem.read_metadata(path)  # type: ignore[attr-defined]
        assert stored == labels
