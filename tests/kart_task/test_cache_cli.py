"""The cache command line (`kart-task cache ls|du|gc`, `python -m kart_task`) on local disk, moto's S3
server and the GCS emulator: a workspace holding the outputs of two parameter sets and some stray files,
as in test_cache_inventory.py. `python -m gokart cache` is tested in tests/gokart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cache_cli_tasks import CacheCliRoot
from luigi.cmdline_parser import CmdlineParser

import kart_lock
import kart_storage
import kart_task
from _servers import HOST, Server, redis_server, running
from kart_storage import list_objects
from kart_task._cache_cli import main
from kart_task._cache_cli_format import human_size, params_text
from kart_task._cache_cli_options import parse_age, parse_size, parsed_root
from kart_task._cache_collect import dump_lock_key

HERE = Path(__file__).parent / "fixture_modules"
ROOT_TASK = "cache_cli_tasks:CacheCliRoot"
_STRAYS = ("stray.txt", "misc/notes.csv", "log/README")


@pytest.fixture(params=["local", "s3", "gcs"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh workspace on each store (the server fixtures point this process's environment, and so
    the subprocesses it starts, at their server)."""
    if request.param == "local":
        return str(tmp_path / "ws")
    bucket = f"kart-cli-{uuid.uuid4().hex[:12]}"
    filesystem: Any
    if request.param == "s3":
        request.getfixturevalue("s3_server")
        filesystem = kart_storage.filesystem_for(f"s3://{bucket}/")
        filesystem.client.create_bucket(Bucket=bucket)
        return f"s3://{bucket}/ws"
    request.getfixturevalue("gcs_server")
    filesystem = kart_storage.filesystem_for(f"gs://{bucket}/")
    filesystem.client.create_bucket(bucket)
    return f"gs://{bucket}/ws"


@pytest.fixture
def calls(tmp_path: Path) -> str:
    folder = tmp_path / "calls"
    folder.mkdir()
    return str(folder)


def _root(workspace: str, calls: str, size: int) -> CacheCliRoot:
    return CacheCliRoot(size=size, calls=calls, workspace_directory=workspace)


def _root_text(workspace: str, calls: str, size: int) -> str:
    return f"{ROOT_TASK} --size {size} --calls {calls} --workspace-directory {workspace} --quick"


def _write(path: str, data: bytes = b"stray") -> None:
    with kart_storage.filesystem_for(path).open_write(path) as stream:
        stream.write(data)


def _filled(workspace: str, calls: str) -> None:
    """Outputs (and logs) of two parameter sets and three stray files, then a wait for the next whole
    second: a collection leaves alone whatever was written in the second it starts (stores keep whole
    seconds), and these files must be old enough to go."""
    for size in (1, 2):
        kart_task.build(_root(workspace, calls, size), reset_register=False)
    for name in _STRAYS:
        _write(f"{workspace}/{name}")
    time.sleep(1.05 - time.time() % 1)


def _paths(workspace: str) -> list[str]:
    return [found.path for found in list_objects(workspace)]


def _runs(calls: str) -> int:
    return len(os.listdir(calls))


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_ls_attributes_every_file(store: str, calls: str, capsys: pytest.CaptureFixture[str]) -> None:
    _filled(store, calls)
    inventory = kart_task.cache_inventory(store)

    assert main(["cache", "ls", store]) == 0
    lines = capsys.readouterr().out.splitlines()
    document = _json(capsys, ["cache", "ls", store, "--json"])

    for task in inventory.tasks:
        (row,) = [line for line in lines if task.unique_id in line]
        assert row.split()[:3] == [task.task_family, task.unique_id, str(len(task.files))]
        assert f"size={task.params['size'] if task.params else '?'}" in row
    stray_rows = [line for line in lines if line.startswith("(stray)")]
    assert sorted(row.split()[1] for row in stray_rows) == sorted(_STRAYS)
    assert (
        lines[-1]
        == f"total: 4 tasks, 3 stray files, {len(_paths(store))} files, {human_size(inventory.size)}"
    )
    listed = [f["path"] for t in document["tasks"] for k in ("outputs", "logs", "companions") for f in t[k]]
    listed += [f["path"] for f in document["stray"]]
    assert sorted(listed) == _paths(store)  # every file, exactly once
    assert document["size"] == inventory.size
    assert {t["params"]["size"] for t in document["tasks"]} == {"1", "2"}
    assert all(t["written"].endswith("+00:00") for t in document["tasks"])


def test_du_totals_match_the_inventory(store: str, calls: str, capsys: pytest.CaptureFixture[str]) -> None:
    _filled(store, calls)
    inventory = kart_task.cache_inventory(store, read_params=False)

    document = _json(capsys, ["cache", "du", store, "--json"])
    assert main(["cache", "du", store]) == 0
    lines = capsys.readouterr().out.splitlines()

    assert document["families"] == [
        {"task_family": t.task_family, "tasks": t.tasks, "files": t.files, "size": t.size}
        for t in inventory.totals().values()
    ]
    assert document["stray"] == {"files": 3, "size": 3 * len(b"stray")}
    assert document["total"] == {"tasks": 4, "files": len(_paths(store)), "size": inventory.size}
    assert lines[-1].split() == ["total", "4", str(len(_paths(store))), *human_size(inventory.size).split()]


def test_a_gc_dry_run_deletes_nothing(store: str, calls: str, capsys: pytest.CaptureFixture[str]) -> None:
    _filled(store, calls)
    before = _paths(store)
    inventory = kart_task.cache_inventory(store, read_params=False)
    root = _root(store, calls, 1)
    keep = {root.make_unique_id(), root.requires().make_unique_id()}
    going = [t for t in inventory.tasks if t.unique_id not in keep]

    assert main(["cache", "gc", store, "--root", _root_text(store, calls, 1)]) == 0
    out = capsys.readouterr().out
    document = _json(capsys, ["cache", "gc", store, "--root", _root_text(store, calls, 1), "--json"])

    assert _paths(store) == before
    assert (document["dry_run"], document["result"]) == (True, None)
    assert sorted(r["unique_id"] for r in document["removals"] if r["unique_id"]) == sorted(
        t.unique_id for t in going
    )
    assert document["files"] == sum(len(t.files) for t in going) + len(_STRAYS)
    assert document["size"] == sum(t.size for t in going) + len(_STRAYS) * len(b"stray")
    summary = (
        f"dry run: {document['files']} files ({human_size(document['size'])}) would be removed from {store}"
    )
    assert f"{summary}; run again with --yes to remove them" in out
    for task in going:
        assert f"{task.task_family}/{task.unique_id}  not needed by the roots" in out


def test_gc_yes_keeps_exactly_what_the_root_needs(
    store: str, calls: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _filled(store, calls)
    before = kart_task.cache_inventory(store, read_params=False)
    root = _root(store, calls, 1)
    keep = {root.make_unique_id(), root.requires().make_unique_id()}

    document = _json(capsys, ["cache", "gc", store, "--yes", "--json", "--root", _root_text(store, calls, 1)])

    kept = sorted(f.path for t in before.tasks if t.unique_id in keep for f in t.files)
    assert _paths(store) == kept
    assert sorted(document["result"]["removed"]) == sorted(set(_paths_of(before)) - set(kept))
    assert document["result"]["size"] == before.size - sum(
        t.size for t in before.tasks if t.unique_id in keep
    )
    runs = _runs(calls)
    assert kart_task.build(_root(store, calls, 1), reset_register=False) == 1
    assert _runs(calls) == runs  # the following build runs nothing


def _paths_of(inventory: kart_task.CacheInventory) -> list[str]:
    return [f.path for t in inventory.tasks for f in t.files] + [f.path for f in inventory.stray]


def _run(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m <module> <args>` with the test tasks importable (the servers' variables inherited)."""
    path = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=False,
    )


def test_python_m_kart_task_cache_ls(store: str, calls: str) -> None:
    _filled(store, calls)

    done = _run("kart_task", "cache", "ls", store, "--json")

    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert len(document["tasks"]) == 4
    assert sorted(f["path"] for f in document["stray"]) == sorted(f"{store}/{name}" for name in _STRAYS)


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--older-than", "7x"], "argument --older-than: cannot read '7x'"),
        (["--max-size", "lots"], "argument --max-size: cannot read 'lots'"),
        (["--root", "no_such_module_kart:Task"], "--root 'no_such_module_kart:Task': cannot import"),
        (
            ["--root", f"{ROOT_TASK} --sise 1"],
            f"--root '{ROOT_TASK} --sise 1': unrecognized arguments: --sise",
        ),
        (["--root", f"{ROOT_TASK} --size x --calls c"], "--root 'cache_cli_tasks:CacheCliRoot --size x"),
        (["--root", "cache_cli_tasks:Nothing"], "has no luigi task class 'Nothing'"),
        (["--root", f"{ROOT_TASK} --size 1 --calls c"], "nothing it needs is in"),
        (["--older-than", "1d", "--redis-host", "localhost"], "--redis-host and --redis-port go together"),
        ([], "gc needs something to go by: --root, --older-than or --max-size"),
    ],
)
def test_bad_flags_exit_2_naming_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str], named: str
) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "keep.txt").write_text("x")

    assert main(["cache", "gc", str(workspace), *flags, "--yes"]) == 2

    captured = capsys.readouterr()
    assert named in captured.err
    assert captured.out == ""
    assert (workspace / "keep.txt").exists()


def test_a_store_error_is_one_line_naming_the_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "no-such-workspace")

    assert main(["cache", "du", missing]) == 1

    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"kart-task cache du: {missing}: ")


def test_the_progress_bar_goes_to_stderr_when_asked(
    tmp_path: Path, calls: str, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = str(tmp_path / "ws")
    _filled(workspace, calls)

    assert main(["cache", "ls", workspace, "--progress"]) == 0
    shown = capsys.readouterr().err
    assert main(["cache", "gc", workspace, "--older-than", "0s", "--yes", "--progress"]) == 0
    removing = capsys.readouterr().err
    assert main(["cache", "du", workspace]) == 0  # stderr is no terminal here: no bar by default

    assert "listing" in shown
    assert "objects" in shown
    assert "parameters" in shown
    assert "removing" in removing
    assert capsys.readouterr().err == ""


def test_ls_on_a_memory_workspace_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    workspace = f"memory://cli-{uuid.uuid4().hex}"
    uid = "0123456789abcdef0123456789abcdef"
    _write(f"{workspace}/pkg/mod/Task_{uid}.pkl")
    _write(f"{workspace}/pkg/mod/Task_{uid}.pkl.kart-digest")
    _write(f"{workspace}/notes.txt")

    document = _json(capsys, ["cache", "ls", workspace, "--json", "--no-params"])
    assert main(["cache", "ls", workspace, "--family", "Task", "--no-params"]) == 0
    lines = capsys.readouterr().out.splitlines()

    (task,) = document["tasks"]
    assert (task["task_family"], task["unique_id"], task["params"]) == ("Task", uid, None)
    assert [f["path"] for f in task["companions"]] == [f"{workspace}/pkg/mod/Task_{uid}.pkl.kart-digest"]
    assert [f["path"] for f in document["stray"]] == [f"{workspace}/notes.txt"]
    assert lines[-1] == "total: 1 tasks, 0 stray files, 2 files, 10 B"  # --family leaves the strays out
    assert "PARAMS" not in lines[0]


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("500MB", 500_000_000),
        ("2GiB", 2 * 1024**3),
        ("1.5G", int(1.5 * 1024**3)),
        ("1048576", 1048576),
        ("3 kb", 3000),
    ],
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(
    ("text", "hours"), [("7d", 168), ("7 d", 168), ("12 hours", 12), ("P1W", 168), ("30m", 0.5)]
)
def test_ages(text: str, hours: float) -> None:
    assert parse_age(text).total_seconds() == hours * 3600


def test_long_parameters_are_cut_to_the_room_left() -> None:
    assert params_text({"a": "1", "b": "x" * 50}, 20) == "a=1, b=xxxxxxxxxx..."
    assert params_text({"a": "1"}, 20) == "a=1"
    assert params_text(None, 20) == "-"


def test_unfinished_uploads_are_shown_on_s3(
    s3_server: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = f"kart-cli-{uuid.uuid4().hex[:12]}"
    client: Any = kart_storage.filesystem_for(f"s3://{bucket}/").client  # type: ignore[attr-defined]
    client.create_bucket(Bucket=bucket)
    key = "ws/pkg/Big_0123456789abcdef0123456789abcdef.pkl"
    upload_id = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b"x" * 1024)
    workspace = f"s3://{bucket}/ws"
    (upload,) = kart_storage.list_unfinished_uploads(workspace)

    listed = _json(capsys, ["cache", "ls", workspace, "--json"])
    assert main(["cache", "ls", workspace]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert main(["cache", "du", workspace]) == 0
    usage = capsys.readouterr().out.splitlines()
    planned = _json(capsys, ["cache", "gc", workspace, "--older-than", "30d", "--json"])

    assert listed["unfinished_uploads"] == [
        {"path": f"s3://{bucket}/{key}", "upload_id": upload_id, "initiated": upload.initiated.isoformat()}
    ]
    assert any(
        line.split()[:3] == ["(unfinished", "upload)", "pkg/Big_0123456789abcdef0123456789abcdef.pkl"]
        for line in lines
    )
    assert lines[-1].endswith("; 1 unfinished uploads (begun, never completed)")
    assert usage[-2].split()[:4] == ["(unfinished", "upload)", "-", "1"]
    old_enough = upload.initiated <= datetime.now(UTC) - timedelta(days=1)
    assert [u["upload_id"] for u in planned["abandoned_uploads"]] == ([upload_id] if old_enough else [])
    assert kart_storage.list_unfinished_uploads(workspace) == [upload]  # a dry run aborts nothing


@pytest.fixture(scope="module")
def redis_srv() -> Iterator[Server]:
    with running(redis_server()) as server:
        yield server


def test_gc_leaves_a_task_whose_dump_lock_is_held(
    tmp_path: Path, calls: str, redis_srv: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = str(tmp_path / "ws")
    _filled(workspace, calls)
    busy = _root(workspace, calls, 1).output().path()
    writer = kart_lock.RedisLock(dump_lock_key(busy), host=HOST, port=redis_srv.port)
    assert writer.acquire(blocking=False)
    try:
        flags = ["--older-than", "0s", "--yes", "--redis-host", HOST, "--redis-port", str(redis_srv.port)]
        assert main(["cache", "gc", workspace, *flags]) == 0
    finally:
        writer.release()
    out = capsys.readouterr().out

    assert f"skipped (a writer holds its dump lock): {busy}" in out
    assert os.path.exists(busy)
    left = kart_task.cache_inventory(workspace, read_params=False)
    assert [t.unique_id for t in left.tasks] == [_root(workspace, calls, 1).make_unique_id()]
    assert left.stray == []


def test_a_root_is_the_task_luigis_command_line_builds() -> None:
    with parsed_root("cache_cli_tasks.CacheCliRoot --size 3 --calls c --quick") as task:
        assert type(task) is CacheCliRoot
        assert (task.size, task.calls, task.quick) == (3, "c", True)
        assert CmdlineParser.get_instance() is not None  # current while the walk may create dependencies
    with parsed_root("cache_cli_tasks:CacheCliRoot --CacheCliRoot-size 4 --calls 'a b'") as task:
        assert (task.size, task.calls, task.quick) == (4, "a b", False)
    assert CmdlineParser.get_instance() is None
    assert task is CacheCliRoot(size=4, calls="a b")  # luigi's instance: same parameters, same object


def test_gc_max_size_removes_until_the_workspace_fits(
    tmp_path: Path, calls: str, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = str(tmp_path / "ws")
    _filled(workspace, calls)
    size = kart_task.cache_inventory(workspace, read_params=False).size
    limit = size - 1

    document = _json(capsys, ["cache", "gc", workspace, "--max-size", f"{limit}B", "--yes", "--json"])

    left = kart_task.cache_inventory(workspace, read_params=False)
    assert document["removals"]
    assert all(r["reason"] == f"workspace over {limit} bytes" for r in document["removals"])
    assert left.size == size - document["result"]["size"] <= limit
    assert sorted(document["result"]["removed"]) == sorted(
        f for r in document["removals"] for f in r["files"]
    )


def test_ls_family_filter(tmp_path: Path, calls: str, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = str(tmp_path / "ws")
    _filled(workspace, calls)

    document = _json(capsys, ["cache", "ls", workspace, "--json", "--family", "CacheCliLeaf"])

    assert [t["task_family"] for t in document["tasks"]] == ["CacheCliLeaf", "CacheCliLeaf"]
    assert (document["stray"], document["unfinished_uploads"]) == ([], [])
    assert document["files"] == sum(
        len(t["outputs"]) + len(t["logs"]) + len(t["companions"]) for t in document["tasks"]
    )


def test_the_kart_task_console_script(tmp_path: Path) -> None:
    """The `kart-task` command the package installs (next to this interpreter, as pip puts it)."""
    script = Path(sys.executable).with_name("kart-task")
    (tmp_path / "ws").mkdir()

    done = subprocess.run(
        [str(script), "cache", "du", str(tmp_path / "ws"), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] == {"tasks": 0, "files": 0, "size": 0}
