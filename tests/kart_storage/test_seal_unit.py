"""Data and its seal are one unit: every output that exists() loads, whatever two writers or a crash did.

Local disk keeps the seal in a `.kart-digest` sidecar (the data bytes stay gokart's), so the write
is serialised per target and the sidecar lists the old and the new seal while the data is renamed;
object stores return body and seal in one response. Each fault is placed with a hook, not hoped for.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import kart_storage
from _request_log import RequestLog, classify
from _servers import Server
from kart_storage import TargetExistsError, make_target
from kart_storage._backends import local as local_backend

KEY = "seal unit key"
pytestmark = pytest.mark.usefixtures("no_trust_environment")

# (signing_key, verify_integrity): each way a dump gets a seal
SEALINGS = [pytest.param(KEY, None, id="signed"), pytest.param(None, "strict", id="strict")]


def _target(path: str, sealing: tuple[str | None, Any], create_only: bool = False) -> Any:
    key, verify = sealing
    return make_target(path, signing_key=key, verify_integrity=verify, create_only=create_only)


def _sidecar(path: str) -> dict[str, Any]:
    with open(path + ".kart-digest") as stream:
        loaded: dict[str, Any] = json.load(stream)
    return loaded


# --- two writers, the worst interleaving placed with a barrier -------------------------------------


@pytest.mark.parametrize(("key", "verify"), SEALINGS)
def test_a_second_writer_cannot_slip_between_a_rename_and_the_final_seal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str | None, verify: Any
) -> None:
    """Writer A pauses after its data is renamed, before its sidecar forgets the old seal; writer B then
    runs as far as it can. Unserialised, B finished and A's last step left B's bytes under A's seal."""
    from kart_storage import _integrity

    path = str(tmp_path / "out.pkl")
    _target(path, (key, verify)).dump("v0")
    a_paused, a_go = threading.Event(), threading.Event()
    b_waits_or_done = threading.Event()
    real_write_sidecar = _integrity.write_sidecar
    writes_by_a: list[str] = []

    def write_sidecar(filesystem: Any, sealed: str, seal: Any) -> None:
        if threading.current_thread().name == "A":
            writes_by_a.append(sealed)
            if len(writes_by_a) == 2:  # A's last step: the sidecar forgets the old seal
                a_paused.set()
                a_go.wait()
        real_write_sidecar(filesystem, sealed, seal)

    monkeypatch.setattr(_integrity, "write_sidecar", write_sidecar)
    _signal_when_b_blocks(monkeypatch, b_waits_or_done)

    def writer_a() -> None:
        _target(path, (key, verify)).dump("from A")

    def writer_b() -> None:
        try:
            _target(path, (key, verify)).dump("from B")
        finally:
            b_waits_or_done.set()

    thread_a = threading.Thread(target=writer_a, name="A")
    thread_a.start()
    a_paused.wait()
    thread_b = threading.Thread(target=writer_b, name="B")
    thread_b.start()
    b_waits_or_done.wait()  # B is blocked on the writers' lock, or (unserialised) finished
    a_go.set()
    thread_a.join()
    thread_b.join()
    assert _target(path, (key, verify)).load() == "from B"


def _signal_when_b_blocks(monkeypatch: pytest.MonkeyPatch, event: threading.Event) -> None:
    """Set `event` when thread B is about to wait for the writers' lock of a target."""
    import fcntl

    real_flock = fcntl.flock

    def flock(fd: Any, operation: int) -> None:
        if threading.current_thread().name == "B" and operation & fcntl.LOCK_EX:
            event.set()
        real_flock(fd, operation)

    monkeypatch.setattr(fcntl, "flock", flock)


@pytest.mark.parametrize(("key", "verify"), SEALINGS)
def test_two_processes_racing_on_one_target_always_leave_a_loadable_output(
    tmp_path: Path, key: str | None, verify: Any
) -> None:
    """20 rounds of two forked writers released together; after each round the output loads."""
    path = str(tmp_path / "raced.pkl")
    for round_number in range(20):
        codes = _race_two_writers(
            lambda writer, n=round_number: _target(path, (key, verify)).dump(f"{writer}{n}" * 50_000)
        )
        assert codes == [0, 0]
        loaded = _target(path, (key, verify)).load()
        assert loaded in (f"A{round_number}" * 50_000, f"B{round_number}" * 50_000)
        assert "previous" not in _sidecar(path)


@pytest.mark.parametrize(("key", "verify"), SEALINGS)
def test_two_processes_racing_with_create_only_leave_the_winners_unit(
    tmp_path: Path, key: str | None, verify: Any
) -> None:
    for round_number in range(20):
        path = str(tmp_path / f"created-{round_number}.pkl")
        codes = _race_two_writers(
            lambda writer, path=path: _target(path, (key, verify), create_only=True).dump(writer * 50_000)
        )
        assert codes == [0, 3]
        assert _target(path, (key, verify)).load() in ("A" * 50_000, "B" * 50_000)


def _race_two_writers(dump: Callable[[str], None]) -> list[int]:
    """Fork writers "A" and "B", release them together through a pipe, and return their sorted exit
    codes: 0 written, 3 lost a create-only race (TargetExistsError), 1 anything else."""
    start_read, start_write = os.pipe()
    children = []
    for writer in ("A", "B"):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                os.close(start_write)
                os.read(start_read, 1)
                dump(writer)
            except TargetExistsError:
                os._exit(3)
            except BaseException:
                os._exit(1)
            os._exit(0)
        children.append(pid)
    os.close(start_read)
    os.write(start_write, b"gg")
    os.close(start_write)
    return sorted(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children)


# --- SIGKILL placed between the steps ---------------------------------------------------------------


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _killed_dump(target: Any, value: object, arm: Callable[[], None]) -> None:
    """Fork a child that arms its fault hook and dumps; it must die of SIGKILL."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            arm()
            target.dump(value)
        except BaseException:
            os._exit(1)
        os._exit(0)
    status = os.waitpid(pid, 0)[1]
    assert os.WIFSIGNALED(status)
    assert os.WTERMSIG(status) == signal.SIGKILL


def _kill_around(function_name: str, path: str, *, after: bool) -> Callable[[], None]:
    """An arm() that makes the local backend's `os.<function_name>` onto `path` kill the process, just
    before or just after the call."""

    def arm() -> None:
        real = getattr(os, function_name)

        def call(source: Any, destination: Any, *args: Any, **kwargs: Any) -> Any:
            if os.fspath(destination) != path:
                return real(source, destination, *args, **kwargs)
            if not after:
                _die()
            result = real(source, destination, *args, **kwargs)
            _die()
            return result

        # only the local backend's module sees the patched function
        local_backend.os = _PatchedOs(function_name, call)  # type: ignore[attr-defined,assignment]

    return arm


class _PatchedOs:
    """The os module with one function replaced (the forked child's local backend only)."""

    def __init__(self, name: str, function: Callable[..., Any]) -> None:
        self._name = name
        self._function = function

    def __getattr__(self, name: str) -> Any:
        return self._function if name == self._name else getattr(os, name)


def _kill_at_sidecar_write(number: int) -> Callable[[], None]:
    def arm() -> None:
        from kart_storage import _integrity

        real = _integrity.write_sidecar
        calls: list[int] = []

        def write_sidecar(*args: Any) -> None:
            calls.append(1)
            if len(calls) == number:
                _die()
            real(*args)

        _integrity.write_sidecar = write_sidecar  # type: ignore[assignment]

    return arm


@pytest.mark.parametrize(("key", "verify"), SEALINGS)
@pytest.mark.parametrize("step", ["before-sidecar", "before-rename", "after-rename", "before-final-seal"])
def test_a_kill_at_any_step_of_an_overwrite_leaves_the_old_or_the_new_unit(
    tmp_path: Path, key: str | None, verify: Any, step: str
) -> None:
    path = str(tmp_path / "out.pkl")
    _target(path, (key, verify)).dump("old")
    arm = {
        "before-sidecar": _kill_at_sidecar_write(1),
        "before-rename": _kill_around("replace", path, after=False),
        "after-rename": _kill_around("replace", path, after=True),
        "before-final-seal": _kill_at_sidecar_write(2),
    }[step]
    _killed_dump(_target(path, (key, verify)), "new", arm)
    assert _target(path, (key, verify)).load() == (
        "old" if step in ("before-sidecar", "before-rename") else "new"
    )
    _target(path, (key, verify)).dump("rebuilt")
    assert _target(path, (key, verify)).load() == "rebuilt"
    assert "previous" not in _sidecar(path)


@pytest.mark.parametrize(("key", "verify"), SEALINGS)
@pytest.mark.parametrize("step", ["before-sidecar", "before-link", "after-link"])
def test_a_kill_at_any_step_of_a_create_only_dump_leaves_nothing_or_a_loadable_unit(
    tmp_path: Path, key: str | None, verify: Any, step: str
) -> None:
    path = str(tmp_path / "created.pkl")
    arm = {
        "before-sidecar": _kill_at_sidecar_write(1),
        "before-link": _kill_around("link", path, after=False),
        "after-link": _kill_around("link", path, after=True),
    }[step]
    _killed_dump(_target(path, (key, verify), create_only=True), "first", arm)
    if step == "after-link":
        assert _target(path, (key, verify), create_only=True).load() == "first"
        with pytest.raises(TargetExistsError):
            _target(path, (key, verify), create_only=True).dump("second")
        return
    assert not _target(path, (key, verify)).exists()
    _target(path, (key, verify), create_only=True).dump("second")  # cleanly rewritable
    assert _target(path, (key, verify), create_only=True).load() == "second"


def test_an_output_left_without_its_seal_by_an_older_crash_says_how_to_recover(tmp_path: Path) -> None:
    """A file linked into place whose seal was never written (the order before this fix): the load
    names the file and says to remove it; after remove() a create_only dump works again."""
    path = str(tmp_path / "orphan.pkl")
    make_target(path, create_only=True).dump("unsealed")
    target = _target(path, (KEY, None), create_only=True)
    with pytest.raises(kart_storage.UntrustedPickleError, match=r"orphan\.pkl.*remove it"):
        target.load()
    target.remove()
    target.dump("sealed")
    assert target.load() == "sealed"


def test_no_lock_file_is_left_behind(tmp_path: Path) -> None:
    path = str(tmp_path / "tidy.pkl")
    for value in ("a", "b"):
        _target(path, (KEY, None)).dump(value)
    make_target(path).dump("unsealed")
    assert sorted(os.listdir(tmp_path)) == ["tidy.pkl"]


def test_a_reader_accepts_bytes_that_a_concurrent_rewrite_resealed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader opens the data, then a whole overwrite completes before it reads the seal: it must
    still accept the (old, validly signed) bytes it hashed, not refuse them."""
    path = str(tmp_path / "read.pkl")
    _target(path, (KEY, None)).dump("old")
    filesystem = kart_storage.filesystem_for(path)
    real_open_read = filesystem.open_read
    rewritten: list[bool] = []

    def open_read(opened: str) -> Any:
        manager = real_open_read(opened)
        if opened == path and not rewritten:
            rewritten.append(True)
            return _then(manager, lambda: _target(path, (KEY, None)).dump("new"))
        return manager

    monkeypatch.setattr(filesystem, "open_read", open_read)
    assert _target(path, (KEY, None)).load() == "old"
    assert rewritten


class _then:
    """A context manager that runs `after` once the wrapped one was entered."""

    def __init__(self, manager: Any, after: Callable[[], None]) -> None:
        self._manager = manager
        self._after = after

    def __enter__(self) -> Any:
        stream = self._manager.__enter__()
        self._after()
        return stream

    def __exit__(self, *exc: Any) -> Any:
        return self._manager.__exit__(*exc)


# --- object stores: body and seal from one response ------------------------------------------------


def test_s3_reader_gets_body_and_seal_in_one_get(
    s3_root: str, s3_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = f"{s3_root}/race.pkl"
    _target(path, (KEY, None)).dump("old")
    filesystem = kart_storage.filesystem_for(path)
    client = filesystem.client  # type: ignore[attr-defined]
    real_get = client.get_object
    done: list[bool] = []

    def get_object(**kwargs: Any) -> Any:
        response = real_get(**kwargs)
        if not done:
            done.append(True)
            _target(path, (KEY, None)).dump("new")  # the object changes right after the body's GET
        return response

    monkeypatch.setattr(client, "get_object", get_object)
    log = RequestLog(s3_server)
    assert _target(path, (KEY, None)).load() == "old"
    counts = log.counts()
    assert counts["get"] == 1
    assert counts["exists"] == 0  # no HEAD for the seal
    assert _target(path, (KEY, None)).load() == "new"


def test_gcs_reader_gets_body_and_seal_of_one_generation(
    gcs_root: str, gcs_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from google.cloud import storage

    path = f"{gcs_root}/race.pkl"
    _target(path, (KEY, None)).dump("old")
    real_download = storage.Blob.download_to_file
    done: list[bool] = []

    def download_to_file(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = real_download(self, *args, **kwargs)
        if not done:
            done.append(True)
            _target(path, (KEY, None)).dump("new")  # the object changes right after the media GET
        return result

    monkeypatch.setattr(storage.Blob, "download_to_file", download_to_file)
    log = RequestLog(gcs_server)
    assert _target(path, (KEY, None)).load() == "old"
    counts = log.counts()
    assert counts["get"] == 1
    assert counts["exists"] == 0  # the emulator sends the seal with the bytes
    assert _target(path, (KEY, None)).load() == "new"


@pytest.mark.parametrize("backend", ["s3", "gcs"])
def test_object_store_readers_racing_an_overwriter_never_refuse(
    backend: str, request: pytest.FixtureRequest
) -> None:
    """A writer thread overwrites a signed object while a reader loads it 30 times: each load returns
    one complete version, none is refused."""
    root = str(request.getfixturevalue(f"{backend}_root"))
    path = f"{root}/busy.pkl"
    _target(path, (KEY, None)).dump("v" * 100_000)
    stop = threading.Event()

    def overwrite() -> None:
        value = 0
        while not stop.is_set():
            value += 1
            _target(path, (KEY, None)).dump(str(value % 10) * 100_000)

    writer = threading.Thread(target=overwrite)
    writer.start()
    try:
        for _ in range(30):
            loaded = _target(path, (KEY, None)).load()
            assert len(loaded) == 100_000
            assert len(set(loaded)) == 1  # one complete version
    finally:
        stop.set()
        writer.join()


def test_gcs_without_metadata_headers_asks_for_the_downloaded_generations_metadata(
    gcs_root: str, gcs_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that sends no x-goog-meta-* with the bytes but names the generation it served: the seal
    is read for exactly that generation (the emulator names none, so the header is simulated)."""
    from kart_storage._backends import gcs as gcs_backend

    path = f"{gcs_root}/pinned.pkl"
    _target(path, (KEY, None)).dump("old")
    filesystem = kart_storage.filesystem_for(path)
    generation = filesystem._reload(path).generation  # type: ignore[attr-defined]
    real_keep = gcs_backend.keep_download_headers

    def keep(blob: Any, into: dict[str, str]) -> None:
        real_keep(blob, into)
        extract = blob._extract_headers_from_download

        def served(response: Any) -> None:
            extract(response)
            into.clear()  # no x-goog-meta-* in this response...
            blob._properties["generation"] = generation  # ...but x-goog-generation

        blob._extract_headers_from_download = served

    monkeypatch.setattr(gcs_backend, "keep_download_headers", keep)
    log = RequestLog(gcs_server)
    assert _target(path, (KEY, None)).load() == "old"
    metadata_reads = [p for m, p in log.requests() if classify(m, p) == "exists"]
    assert len(metadata_reads) == 1
    assert f"generation={generation}" in metadata_reads[0]
