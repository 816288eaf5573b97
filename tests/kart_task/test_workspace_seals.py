"""Workspace clean-up and the files kart keeps beside an output (issue #17, item 3).

`delete_local_unnecessary_outputs` used to take `X.pkl.kart-digest` (the seal of a needed output) for an
unneeded file: the needed pickles then stayed `complete()` but no longer loaded under a signing key or
strict integrity. Seals, writers' locks and write temporaries now follow their output."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import luigi
import pytest

import kart_task
from kart_storage._companions import companion_owner
from kart_storage._integrity import sidecar_path
from kart_task._workspace import delete_local_unnecessary_outputs, unnecessary_output_files

SEAL = ".kart-digest"


class _SealRaw(kart_task.TaskOnKart[list[int]]):
    n: luigi.IntParameter = luigi.IntParameter()

    def output(self) -> Any:
        return self.make_target("ws/raw.pkl")

    def run(self) -> None:
        self.dump(list(range(self.n)))


class _SealSum(kart_task.TaskOnKart[int]):
    n: luigi.IntParameter = luigi.IntParameter()

    def requires(self) -> Any:
        return _SealRaw(n=self.n)

    def output(self) -> Any:
        return {"sum": self.make_target("ws/sum.pkl"), "text": self.make_target("ws/sum.txt")}

    def run(self) -> None:
        total = sum(self.load())
        self.dump(total, "sum")
        self.dump(str(total), "text")


def _targets(task: _SealSum) -> list[Any]:
    return [_SealRaw(n=task.n).output(), *task.output().values()]


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.fixture(params=["signing", "strict"])
def sealed(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, workspace: Path) -> str:
    """Every dump of the test is sealed: signed pickles, or sha256 seals checked strictly."""
    if request.param == "signing":
        monkeypatch.setenv("KART_PICKLE_SIGNING_KEY", "workspace-test-key")
    else:
        monkeypatch.setenv("KART_VERIFY_INTEGRITY", "strict")
    return str(request.param)


def test_needed_outputs_keep_their_seals_and_unneeded_ones_go_with_theirs(
    sealed: str, workspace: Path
) -> None:
    old, task = _SealSum(n=3), _SealSum(n=4)
    kart_task.build(old, reset_register=False)
    kart_task.build(task, reset_register=False)
    ws = workspace / "resources"
    needed = [Path(target.path()) for target in _targets(task)]
    unneeded = [Path(target.path()) for target in _targets(old)]
    sealed_needed = [path for path in needed if Path(str(path) + SEAL).exists()]
    assert sealed_needed  # the seals exist, so the clean-up had something to get wrong
    assert all(Path(str(path) + SEAL).exists() for path in unneeded if path.suffix == ".pkl")

    delete_local_unnecessary_outputs(task)

    assert [target.load() for target in _targets(task)] == [[0, 1, 2, 3], 6, ["6"]]
    for path in sealed_needed:
        assert Path(str(path) + SEAL).exists(), path
    assert task.complete()
    for path in unneeded:
        assert not path.exists(), path
        assert not Path(str(path) + SEAL).exists(), path
    orphans = [name for name in _files(ws) if name.endswith(SEAL) and not (ws / name[: -len(SEAL)]).exists()]
    assert orphans == []
    # the next build of the same task loads its cached inputs rather than failing on them
    rebuilt: object = kart_task.build(_SealSum(n=4), reset_register=False)
    assert rebuilt == {"sum": 6, "text": ["6"]}


def test_companions_follow_their_output(sealed: str, workspace: Path) -> None:
    """Seals, locks and write temporaries of needed outputs stay; of unneeded or missing outputs go;
    those of files the clean-up never deletes (no dot in the name) stay too."""
    task = _SealSum(n=2)
    kart_task.build(task, reset_register=False)
    ws = workspace / "resources" / "ws"
    raw = Path(_SealRaw(n=2).output().path())
    planted_kept = [
        Path(f"{raw}.kart-lock"),  # a writer publishing the needed output right now
        Path(f"{raw}-kart-tmp-0000000042-0badcafe"),  # its write in flight
        ws / "NO_EXTENSION.kart-digest",  # seal of a file the clean-up keeps (no dot in its name)
    ]
    (ws / "NO_EXTENSION").write_bytes(b"kept")
    planted_gone = [
        ws / "ghost_0123.pkl.kart-digest",  # orphan seal: its output is gone
        ws / "stale_0123.pkl",
        ws / "stale_0123.pkl.kart-digest",
        ws / "stale_0123.pkl.kart-lock",
        ws / "stale_0123.pkl-kart-tmp-0000000007-deadbeef",
    ]
    for path in planted_kept + planted_gone:
        path.write_bytes(b"planted")

    listed = unnecessary_output_files(task)
    assert sorted(Path(path).name for path in listed) == sorted(path.name for path in planted_gone)
    delete_local_unnecessary_outputs(task)

    assert all(path.exists() for path in planted_kept)
    assert not any(path.exists() for path in planted_gone)
    assert [target.load() for target in _targets(task)] == [[0, 1], 1, ["1"]]


def test_companion_owner_names_the_output_from_kart_storages_own_suffixes() -> None:
    assert companion_owner("/ws/a_1.pkl.kart-digest") == "/ws/a_1.pkl"
    assert companion_owner("/ws/a_1.pkl.kart-lock") == "/ws/a_1.pkl"
    assert companion_owner("/ws/a_1.pkl-kart-tmp-0000000001-0a0b0c0d") == "/ws/a_1.pkl"
    assert companion_owner("/ws/a_1.pkl-kart-tmp-0a0b0c0d0e0f-staged") == "/ws/a_1.pkl"
    assert companion_owner("/ws/a_1.pkl") is None
    assert companion_owner("/ws/.kart-digest") is None  # no output named "" in /ws
    # the suffix the seal is written under is the one recognised (no copy of it that could drift)
    seal = sidecar_path("/ws/b.csv")
    assert companion_owner(seal) == "/ws/b.csv"


def test_deletion_removes_data_before_its_seal(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    task = _SealSum(n=1)
    kart_task.build(task, reset_register=False)
    ws = workspace / "resources" / "ws"
    (ws / "zz_0123.pkl").write_bytes(b"x")
    (ws / "aa_0123.pkl.kart-digest").write_bytes(b"{}")
    (ws / "zz_0123.pkl.kart-digest").write_bytes(b"{}")
    removed: list[str] = []
    real_remove = os.remove

    def remove(path: Any) -> None:
        removed.append(os.path.basename(path))
        real_remove(path)

    monkeypatch.setattr(os, "remove", remove)
    delete_local_unnecessary_outputs(task)
    assert removed.index("zz_0123.pkl") < removed.index("zz_0123.pkl.kart-digest")
    assert sorted(removed) == ["aa_0123.pkl.kart-digest", "zz_0123.pkl", "zz_0123.pkl.kart-digest"]
