"""The local backend: the shared conformance suite, plus crash safety and disk-specific behaviour."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from filesystem_conformance import FileSystemConformance

import kart_storage
from kart_storage import FileSystem, LocalFileSystem, TargetNotFoundError


class TestLocalFileSystem(FileSystemConformance):
    @pytest.fixture
    def filesystem(self) -> FileSystem:
        return LocalFileSystem()

    @pytest.fixture
    def root(self, tmp_path: Path) -> str:
        return str(tmp_path / "root")


class TestLocalFileSystemWithoutFsync(TestLocalFileSystem):
    """Skipping fsync must not weaken anything a process crash can observe: same conformance suite."""

    @pytest.fixture
    def filesystem(self) -> FileSystem:
        return LocalFileSystem(durable=False)


def _count_fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = os.fsync

    def counting(handle: int) -> None:
        calls.append(handle)
        real(handle)

    monkeypatch.setattr(os, "fsync", counting)
    return calls


@pytest.mark.parametrize(
    ("env", "durable", "expect_fsync"),
    [
        (None, None, True),
        ("0", None, False),
        ("off", None, False),
        ("1", None, True),
        ("0", True, True),
        (None, False, False),
    ],
)
def test_fsync_follows_argument_then_environment(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: str | None,
    durable: bool | None,
    expect_fsync: bool,
) -> None:
    if env is None:
        monkeypatch.delenv("KART_LOCAL_FSYNC", raising=False)
    else:
        monkeypatch.setenv("KART_LOCAL_FSYNC", env)
    calls = _count_fsyncs(monkeypatch)
    with LocalFileSystem(durable=durable).open_write(str(tmp_path / "x.bin")) as stream:
        stream.write(b"payload")
    assert (tmp_path / "x.bin").read_bytes() == b"payload"
    assert bool(calls) is expect_fsync


def test_configure_local_switches_what_targets_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_fsyncs(monkeypatch)
    try:
        kart_storage.configure_local(durable=False)
        kart_storage.make_target(str(tmp_path / "a.pkl")).dump({"a": 1})
        assert calls == []
        kart_storage.configure_local(durable=True)
        kart_storage.make_target(str(tmp_path / "b.pkl")).dump({"b": 2})
        assert calls
    finally:
        kart_storage.configure_local()
    assert kart_storage.make_target(str(tmp_path / "a.pkl")).load() == {"a": 1}


def test_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "out" / "x.pkl"

    def dump() -> None:
        with LocalFileSystem().open_write(str(path)) as stream:
            stream.write(b"partial")
            raise RuntimeError("dump failed")

    with pytest.raises(RuntimeError):
        dump()
    assert list((tmp_path / "out").iterdir()) == []


def test_successful_write_leaves_only_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.pkl"
    with LocalFileSystem().open_write(str(path)) as stream:
        stream.write(b"ok")
        assert [p.name for p in tmp_path.iterdir()] != ["x.pkl"]  # a sibling temp file meanwhile
    assert [p.name for p in tmp_path.iterdir()] == ["x.pkl"]


def test_a_process_killed_mid_write_leaves_nothing_that_exists(tmp_path: Path) -> None:
    path = tmp_path / "crash" / "x.pkl"
    script = (
        "import os, sys, kart_storage\n"
        "with kart_storage.LocalFileSystem().open_write(sys.argv[1]) as stream:\n"
        "    stream.write(b'half of the data')\n"
        "    stream.flush()\n"
        "    os._exit(3)\n"
    )
    finished = subprocess.run([sys.executable, "-c", script, str(path)], check=False)
    assert finished.returncode == 3
    assert path.parent.is_dir()  # the write did start
    assert not LocalFileSystem().exists(str(path))


def test_new_files_get_umask_permissions(tmp_path: Path) -> None:
    path = tmp_path / "perm.bin"
    old = os.umask(0o022)
    try:
        with LocalFileSystem().open_write(str(path)) as stream:
            stream.write(b"x")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


def test_remove_deletes_directories_too(tmp_path: Path) -> None:
    directory = tmp_path / "dir"
    (directory / "inner").mkdir(parents=True)
    (directory / "inner" / "f").write_bytes(b"1")
    LocalFileSystem().remove(str(directory))
    assert not directory.exists()


def test_last_modified_matches_the_file_clock(tmp_path: Path) -> None:
    path = tmp_path / "t.bin"
    path.write_bytes(b"1")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    assert LocalFileSystem().last_modified(str(path)).timestamp() == 1_700_000_000


def test_missing_file_error_is_a_file_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        LocalFileSystem().last_modified(str(tmp_path / "nope"))
    with pytest.raises(TargetNotFoundError):
        LocalFileSystem().size(str(tmp_path / "nope"))


@pytest.mark.parametrize("odd", ["s3a://bucket/x.bin", "S3://bucket/x.bin", "file://x.bin"])
def test_unregistered_schemes_are_literal_local_paths_as_in_gokart(
    odd: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    filesystem = kart_storage.filesystem_for(odd)
    assert isinstance(filesystem, LocalFileSystem)
    with filesystem.open_write(odd) as stream:
        stream.write(b"1")
    assert os.path.isfile(tmp_path / os.path.normpath(odd))


def test_builtin_schemes_are_registered() -> None:
    assert isinstance(kart_storage.filesystem_for("/tmp/x"), LocalFileSystem)
    assert isinstance(kart_storage.filesystem_for("relative/x"), LocalFileSystem)
    assert isinstance(kart_storage.filesystem_for("memory://x"), kart_storage.MemoryFileSystem)
    assert isinstance(kart_storage.filesystem_for("s3://b/x"), kart_storage.S3FileSystem)
    assert isinstance(kart_storage.filesystem_for("gs://b/x"), kart_storage.GCSFileSystem)
    assert kart_storage.filesystem_for("s3://b/x") is kart_storage.filesystem_for("s3://other/y")


def test_without_fsync_applies_only_inside_its_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KART_LOCAL_FSYNC", raising=False)
    calls = _count_fsyncs(monkeypatch)
    filesystem = LocalFileSystem()
    with kart_storage.without_fsync(), filesystem.open_write(str(tmp_path / "log.bin")) as stream:
        stream.write(b"diagnostics")
    assert calls == []
    assert (tmp_path / "log.bin").read_bytes() == b"diagnostics"
    with filesystem.open_write(str(tmp_path / "out.bin")) as stream:
        stream.write(b"output")
    assert calls
