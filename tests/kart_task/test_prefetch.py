"""The completeness prefetch of kart's worker (kart_task._prefetch), on local disk, memory, moto's S3 server,
the GCS emulator and luigid: a root over complete leaves asks the store once per prefix instead of once
per task, a negative answer that went stale is checked again before run() (no task runs twice), and
custom complete(), rerun and the other settings the batch cannot answer keep their own complete()."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import luigi
import pytest

import kart_storage
import kart_task
from _request_log import RequestLog, classify
from _servers import Server, luigid, running
from kart_task import TaskOnKart, gokart_worker
from kart_task._luigi import worker as kart_worker
from kart_task._prefetch import prefetch
from kart_task._prefetch_answers import Answers, answer, scheduling

LEAVES = 40


# --- tasks -----------------------------------------------------------------------------------------


def _record(runs: str, name: str) -> None:
    """A file per run: counts runs in forked task processes too."""
    Path(runs, f"{name}-{uuid.uuid4().hex}").touch()


def _runs(runs: str, name: str) -> int:
    return sum(1 for entry in os.listdir(runs) if entry.rsplit("-", 1)[0] == name)


class _Leaf(TaskOnKart[int]):
    index = luigi.IntParameter()
    runs = luigi.Parameter(significant=False)

    def run(self) -> None:
        _record(self.runs, f"leaf{self.index}")
        self.dump(self.index)


class _Root(TaskOnKart[int]):
    count = luigi.IntParameter()
    runs = luigi.Parameter(significant=False)
    rerun_leaves = luigi.BoolParameter(default=False, significant=False)

    def requires(self) -> list[_Leaf]:
        return [
            _Leaf(
                index=i, runs=self.runs, workspace_directory=self.workspace_directory, rerun=self.rerun_leaves
            )
            for i in range(self.count)
        ]

    def run(self) -> None:
        _record(self.runs, "root")
        self.dump(sum(self.load()))


class _CustomDone(TaskOnKart[int]):
    """Complete by its own word although its output is missing."""

    runs = luigi.Parameter(significant=False)

    def complete(self) -> bool:
        _record(self.runs, "done-asked")
        return True

    def run(self) -> None:
        _record(self.runs, "done-ran")
        self.dump(1)


class _CustomPending(TaskOnKart[int]):
    """Incomplete by its own word until it ran, although its output exists."""

    runs = luigi.Parameter(significant=False)

    def complete(self) -> bool:
        _record(self.runs, "pending-asked")
        return _runs(self.runs, "pending-ran") > 0

    def run(self) -> None:
        _record(self.runs, "pending-ran")
        self.dump(2)


class _Both(TaskOnKart[int]):
    runs = luigi.Parameter(significant=False)

    def requires(self) -> list[TaskOnKart[int]]:
        ws = self.workspace_directory
        return [
            _CustomDone(runs=self.runs, workspace_directory=ws),
            _CustomPending(runs=self.runs, workspace_directory=ws),
        ]

    def run(self) -> None:
        self.dump(3)


class _PlainTarget(TaskOnKart[int]):
    path = luigi.Parameter()

    def output(self) -> Any:
        return luigi.LocalTarget(self.path)


class _Strict(TaskOnKart[int]):
    count = luigi.IntParameter()
    runs = luigi.Parameter(significant=False)

    def requires(self) -> list[_Leaf]:
        ws = self.workspace_directory
        return [_Leaf(index=i, runs=self.runs, workspace_directory=ws) for i in range(self.count)]


class _PlainLuigi(luigi.WrapperTask):
    workspace = luigi.Parameter()
    runs = luigi.Parameter()

    def requires(self) -> _Root:
        return _Root(count=3, runs=self.runs, workspace_directory=self.workspace)


class _BrokenRequires(TaskOnKart[int]):
    def requires(self) -> Any:
        raise KeyError("no such input")


# --- servers and stores ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def luigid_server() -> Iterator[Server]:
    with running(luigid()) as server:
        yield server


class Store:
    """A fresh workspace on one backend, and (for S3 and GCS) the server's request log."""

    def __init__(self, kind: str, root: str, server: Server | None) -> None:
        self.kind = kind
        self.root = root
        self.log = RequestLog(server) if server is not None else None


@pytest.fixture(params=["local", "memory", "s3", "gcs"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return _store(request, tmp_path, request.param)


@pytest.fixture(params=["local", "s3", "gcs"])
def shared_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """A store that forked task processes share (memory:// lives in one process)."""
    return _store(request, tmp_path, request.param)


def _store(request: pytest.FixtureRequest, tmp_path: Path, kind: str) -> Store:
    if kind == "local":
        return Store(kind, str(tmp_path / "ws"), None)
    if kind == "memory":
        return Store(kind, f"memory://ws-{uuid.uuid4().hex}", None)
    server: Server = request.getfixturevalue(f"{kind}_server")
    bucket = f"kart-prefetch-{uuid.uuid4().hex[:12]}"
    scheme = "s3" if kind == "s3" else "gs"
    filesystem: Any = kart_storage.filesystem_for(f"{scheme}://{bucket}/")
    if kind == "s3":
        filesystem.client.create_bucket(Bucket=bucket)
    else:
        filesystem.client.create_bucket(bucket)
    return Store(kind, f"{scheme}://{bucket}/ws", server)


@pytest.fixture
def runs(tmp_path: Path) -> str:
    path = tmp_path / "runs"
    path.mkdir()
    return str(path)


def _complete_leaves(root: _Root, skip: int | None = None) -> None:
    for leaf in root.requires():
        if leaf.index != skip:
            leaf.dump(leaf.index)


class _Questions:
    """Existence questions asked of a local or memory file system in this process: `calls` counts one
    per exists() or exists_many() call whose paths include a leaf's output (a batch is one question)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, filesystem: Any) -> None:
        self.calls = 0
        kind = type(filesystem)
        exists, exists_many = kind.exists, kind.exists_many

        def counted_exists(fs: Any, path: str) -> bool:
            self.calls += _is_leaf_output(path)
            return bool(exists(fs, path))

        def counted_exists_many(fs: Any, paths: Any) -> list[bool]:
            self.calls += any(_is_leaf_output(path) for path in paths)
            return list(exists_many(fs, paths))

        monkeypatch.setattr(kind, "exists", counted_exists)
        monkeypatch.setattr(kind, "exists_many", counted_exists_many)


def _is_leaf_output(path: str) -> bool:
    """A leaf's output file (not its integrity sidecar, which every dump looks for)."""
    path = unquote(path.split("?", 1)[0])  # GCS request paths encode the object name
    return "/_Leaf_" in path and path.endswith(".pkl")


def _without_prefetch() -> kart_task.WorkerSchedulerFactory:
    class Factory(kart_task.WorkerSchedulerFactory):
        def create_worker(self, scheduler: Any, worker_processes: int, assistant: bool = False) -> Any:
            config = gokart_worker(completion_prefetch=False)
            return kart_task.Worker(
                scheduler, worker_processes=worker_processes, assistant=assistant, config=config
            )

    return Factory()


def _leaf_questions(store: Store, monkeypatch: pytest.MonkeyPatch, build: Callable[[], Any]) -> int:
    """How many times a build asked the store whether leaves exist: per leaf path (S3 HEAD, GCS metadata
    GET, a local exists()) or per batch (an S3/GCS listing, a local exists_many() call)."""
    if store.log is not None:
        store.log.mark()
        build()
        return sum(
            1
            for method, path in store.log.requests()
            if (classify(method, path) == "exists" and _is_leaf_output(path))
            or classify(method, path) == "list"
        )
    questions = _Questions(monkeypatch, kart_storage.filesystem_for(store.root + "/x"))
    build()
    return questions.calls


# --- requests ----------------------------------------------------------------------------------------


def test_a_root_over_complete_leaves_asks_once_per_prefix_not_once_per_task(
    store: Store, runs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _Root(count=LEAVES, runs=runs, workspace_directory=store.root)
    _complete_leaves(root)
    results: list[int] = []
    asked = _leaf_questions(
        store, monkeypatch, lambda: results.append(kart_task.build(root, reset_register=False))
    )
    assert results == [sum(range(LEAVES))]
    assert _runs(runs, "root") == 1
    assert not any(_runs(runs, f"leaf{i}") for i in range(LEAVES))
    # one batch (on S3/GCS one listing of the leaves' prefix); the root's run checks no leaf again
    assert 1 <= asked <= 2, asked


def test_without_the_prefetch_every_leaf_is_asked(
    shared_store: Store, runs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison the prefetch is for: luigi's own pass asks one question per leaf (at least)."""
    root = _Root(count=LEAVES, runs=runs, workspace_directory=shared_store.root)
    _complete_leaves(root)
    build = lambda: kart_task.build(root, reset_register=False, worker_scheduler_factory=_without_prefetch())  # noqa: E731
    assert _leaf_questions(shared_store, monkeypatch, build) >= LEAVES


def test_a_complete_root_is_asked_alone(store: Store, runs: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """luigi looks no further than a complete root, and neither does the prefetch."""
    root = _Root(count=LEAVES, runs=runs, workspace_directory=store.root)
    _complete_leaves(root)
    kart_task.build(root, reset_register=False)
    luigi.task_register.Register.clear_instance_cache()
    root = _Root(count=LEAVES, runs=runs, workspace_directory=store.root)
    build = lambda: kart_task.build(root, reset_register=False, return_value=False)  # noqa: E731
    assert _leaf_questions(store, monkeypatch, build) == 0
    assert _runs(runs, "root") == 1


# --- stale negative answers --------------------------------------------------------------------------


def _finish_elsewhere_after_prefetch(
    monkeypatch: pytest.MonkeyPatch, leaf: _Leaf, seen: list[Answers]
) -> None:
    """Between the prefetch and the run, 'another worker' writes `leaf`'s output."""

    def prefetch_then_finish(root: Any) -> Answers:
        answers = prefetch(root)
        seen.append(answers)
        leaf.dump(1000)
        return answers

    monkeypatch.setattr(kart_worker, "prefetch", prefetch_then_finish)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_task_finished_elsewhere_after_the_prefetch_is_not_run(
    shared_store: Store, runs: str, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _Root(count=LEAVES, runs=runs, workspace_directory=shared_store.root)
    _complete_leaves(root, skip=0)
    late = root.requires()[0]
    seen: list[Answers] = []
    _finish_elsewhere_after_prefetch(monkeypatch, late, seen)
    result = kart_task.build(root, reset_register=False, workers=workers)
    assert seen
    assert seen[0].known[late.task_id] == (late, False)
    assert _runs(runs, "leaf0") == 0  # ...and the check before run() saw it finished
    assert _runs(runs, "root") == 1
    assert result == 1000 + sum(range(1, LEAVES))


def test_on_luigid_a_task_finished_elsewhere_is_not_run_and_leaves_are_asked_once(
    luigid_server: Server, runs: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _Root(count=LEAVES, runs=runs, workspace_directory=str(tmp_path / "ws"))
    _complete_leaves(root, skip=0)
    late = root.requires()[0]
    seen: list[Answers] = []
    _finish_elsewhere_after_prefetch(monkeypatch, late, seen)
    questions = _Questions(monkeypatch, kart_storage.filesystem_for(str(tmp_path)))
    result = kart_task.build(
        root,
        reset_register=False,
        local_scheduler=False,
        scheduler_host=luigid_server.host,
        scheduler_port=luigid_server.port,
    )
    assert seen
    assert seen[0].known[late.task_id] == (late, False)
    assert _runs(runs, "leaf0") == 0
    assert _runs(runs, "root") == 1
    assert result == 1000 + sum(range(1, LEAVES))
    assert questions.calls <= 2, questions.calls


# --- what the batch does not answer ------------------------------------------------------------------


def test_custom_complete_is_asked_and_its_answer_used(shared_store: Store, runs: str) -> None:
    ws = shared_store.root
    _CustomPending(runs=runs, workspace_directory=ws).dump(2)  # the batch would call it complete
    assert kart_task.build(_Both(runs=runs, workspace_directory=ws), reset_register=False) == 3
    assert _runs(runs, "done-asked") >= 1
    assert _runs(runs, "done-ran") == 0
    assert _runs(runs, "pending-asked") >= 1
    assert _runs(runs, "pending-ran") == 1


@pytest.mark.parametrize("workers", [1, 2])
def test_rerun_still_reruns(shared_store: Store, runs: str, workers: int) -> None:
    root = _Root(count=5, runs=runs, workspace_directory=shared_store.root, rerun_leaves=True)
    _complete_leaves(root)
    assert kart_task.build(root, reset_register=False, workers=workers) == sum(range(5))
    assert all(_runs(runs, f"leaf{i}") == 1 for i in range(5))


def test_answers_only_what_the_rule_gives_exactly(tmp_path: Path, runs: str) -> None:
    ws = str(tmp_path / "ws")
    root = _Root(count=3, runs=runs, workspace_directory=ws)
    _complete_leaves(root)
    leaves = root.requires()
    answers = prefetch(root)
    assert answers.known[root.task_id] == (root, False)
    assert all(answers.known[leaf.task_id] == (leaf, True) for leaf in leaves)

    strict = _Strict(count=3, runs=runs, workspace_directory=ws, strict_check=True)
    strict.dump(0)
    assert prefetch(strict).known[strict.task_id] == (strict, True)
    missing = _Strict(count=4, runs=runs, workspace_directory=ws, strict_check=True)
    missing.dump(0)
    assert prefetch(missing).known[missing.task_id] == (missing, False)  # leaf 3 is missing

    timed = _Strict(count=3, runs=runs, workspace_directory=ws, modification_time_check=True)
    timed.dump(0)
    assert timed.task_id not in prefetch(timed).known
    rerun = _Leaf(index=0, runs=runs, workspace_directory=ws, rerun=True)
    assert rerun.task_id not in prefetch(rerun).known
    custom = _Both(runs=runs, workspace_directory=ws)
    assert {t.task_id for t in custom.requires()}.isdisjoint(prefetch(custom).known)
    plain = _PlainTarget(path=str(tmp_path / "plain.txt"), workspace_directory=ws)
    assert plain.task_id not in prefetch(plain).known
    wrapper = _PlainLuigi(workspace=ws, runs=runs)
    below = prefetch(wrapper).known
    assert wrapper.task_id not in below
    assert all(leaf.task_id in below for leaf in leaves)
    assert len(prefetch(_BrokenRequires(workspace_directory=ws))) == 0  # luigi reports the error itself


# --- scope ----------------------------------------------------------------------------------------------


def test_answers_are_seen_only_while_scheduling(tmp_path: Path, runs: str) -> None:
    leaf = _Leaf(index=0, runs=runs, workspace_directory=str(tmp_path))
    said = Answers({leaf.task_id: (leaf, True)})
    assert answer(leaf) is None
    with scheduling(said):
        assert answer(leaf) is True
        assert leaf.complete() is True
        twin = _Leaf(index=0, runs=runs, workspace_directory=str(tmp_path / "other"))  # same task id
        assert twin.task_id == leaf.task_id
        assert answer(twin) is None
        kart_task.reset()
        assert answer(leaf) is None
    assert answer(leaf) is None
    assert leaf.complete() is False


def test_a_users_own_luigi_build_with_karts_worker_prefetches(
    tmp_path: Path, runs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _Root(count=LEAVES, runs=runs, workspace_directory=str(tmp_path / "ws"))
    _complete_leaves(root)
    questions = _Questions(monkeypatch, kart_storage.filesystem_for(str(tmp_path)))
    assert luigi.build(
        [root], worker_scheduler_factory=kart_task.WorkerSchedulerFactory(), local_scheduler=True
    )
    assert questions.calls <= 2
    assert _runs(runs, "root") == 1
    assert root.output().load() == sum(range(LEAVES))


def test_the_command_line_run_prefetches(tmp_path: Path, runs: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = str(tmp_path / "ws")
    _complete_leaves(_Root(count=LEAVES, runs=runs, workspace_directory=ws))
    luigi.task_register.Register.clear_instance_cache()
    questions = _Questions(monkeypatch, kart_storage.filesystem_for(str(tmp_path)))
    args = ["_Root", "--count", str(LEAVES), "--runs", runs, "--workspace-directory", ws, "--local-scheduler"]
    with pytest.raises(SystemExit) as exited:
        kart_task.run(args, set_retcode=False)
    assert exited.value.code == 0
    assert _runs(runs, "root") == 1
    assert questions.calls <= 2, questions.calls
