"""`cache_expiration` (issue #19, expiry): an output older than the task's expiration counts as missing, so
the task runs again; on local disk (mtimes set with os.utime), moto's S3 server and the GCS emulator
(objects cannot be backdated there: the clock kart measures ages from, `_expiry._now`, is moved
forward instead). The option is insignificant (ids unchanged), the completeness prefetch never answers
an expired task as complete, and `explain` names the reason."""

from __future__ import annotations

import datetime
import os
import time
import uuid
from pathlib import Path
from typing import Any

import luigi
import pytest

import kart_storage
import kart_task
from _servers import Server
from kart_task import TaskOnKart, _expiry
from kart_task._prefetch import prefetch

WEEK = datetime.timedelta(days=7)
DAY = 24 * 3600


def _record(runs: str, name: str) -> None:
    """A file per run: counts runs in forked task processes too."""
    Path(runs, f"{name}-{uuid.uuid4().hex}").touch()


def _runs(runs: str, name: str) -> int:
    return sum(1 for entry in os.listdir(runs) if entry.rsplit("-", 1)[0] == name)


class _Expiring(TaskOnKart[int]):
    value = luigi.IntParameter(default=1)
    runs = luigi.Parameter(significant=False)

    def run(self) -> None:
        _record(self.runs, "expiring")
        self.dump(self.value)


class _Above(TaskOnKart[int]):
    runs = luigi.Parameter(significant=False)
    leaf_expiration = luigi.OptionalParameter(default=None, significant=False)

    def requires(self) -> _Expiring:
        return _Expiring(
            runs=self.runs,
            workspace_directory=self.workspace_directory,
            cache_expiration=self.leaf_expiration,
        )

    def run(self) -> None:
        _record(self.runs, "above")
        self.dump(self.load() + 1)


@pytest.fixture
def runs(tmp_path: Path) -> str:
    folder = tmp_path / "runs"
    folder.mkdir()
    return str(folder)


def _age_local(task: TaskOnKart[Any], seconds: float) -> None:
    path = task.output().path()
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


def _build(task: TaskOnKart[Any]) -> Any:
    return kart_task.build(task, reset_register=False)


# --- the option -----------------------------------------------------------------------------------


def test_the_option_reads_luigi_time_delta_texts() -> None:
    for text in ("7 d", "7days", "7 days", "1 w", "P7D", str(7 * DAY)):
        assert _Expiring(runs="-", cache_expiration=text).cache_expiration == WEEK
    assert _Expiring(runs="-").cache_expiration is None
    assert _Expiring(runs="-", cache_expiration=WEEK).cache_expiration == WEEK


def test_the_option_leaves_the_unique_id_and_task_id_unchanged() -> None:
    plain = _Expiring(runs="-", value=3)
    expiring = _Expiring(runs="-", value=3, cache_expiration=WEEK)
    assert expiring.make_unique_id() == plain.make_unique_id()
    assert expiring.task_id == plain.task_id
    assert expiring.to_str_params(only_significant=True) == plain.to_str_params(only_significant=True)
    assert expiring.output().path() == plain.output().path()
    # a task holding it (serialised into the holder's id) keeps its id as well
    above = _Above(runs="-", leaf_expiration="7 d")
    assert above.make_unique_id() == _Above(runs="-").make_unique_id()


def test_the_option_is_not_positional() -> None:
    """Positional arguments keep binding to the parameters they bound to before the option existed."""
    assert not TaskOnKart.cache_expiration.positional


# --- local disk -----------------------------------------------------------------------------------


def test_an_expired_local_output_runs_the_task_again(workspace: Path, runs: str) -> None:
    assert _build(_Expiring(runs=runs, cache_expiration=WEEK)) == 1
    task = _Expiring(runs=runs, cache_expiration=WEEK)
    _age_local(task, 8 * DAY)
    assert not task.complete()
    assert _build(_Expiring(runs=runs, cache_expiration=WEEK)) == 1
    assert _runs(runs, "expiring") == 2
    assert _Expiring(runs=runs, cache_expiration=WEEK).complete()  # the new output is fresh


def test_a_fresh_local_output_is_kept(workspace: Path, runs: str) -> None:
    _build(_Expiring(runs=runs, cache_expiration=WEEK))
    task = _Expiring(runs=runs, cache_expiration=WEEK)
    _age_local(task, 6 * DAY)
    assert task.complete()
    _build(_Expiring(runs=runs, cache_expiration=WEEK))
    assert _runs(runs, "expiring") == 1


def test_without_the_option_an_output_never_expires(workspace: Path, runs: str) -> None:
    _build(_Expiring(runs=runs))
    task = _Expiring(runs=runs)
    _age_local(task, 3650 * DAY)
    assert task.complete()
    _build(_Expiring(runs=runs))
    assert _runs(runs, "expiring") == 1


def test_an_expired_dependency_runs_again_with_its_dependents(workspace: Path, runs: str) -> None:
    """The dependent is complete, so luigi would not look below it: the expired leaf is only rebuilt
    when the dependent is asked for again after its own output went (here: is missing)."""
    assert _build(_Above(runs=runs, leaf_expiration="7 d")) == 2
    leaf = _Expiring(runs=runs, cache_expiration=WEEK)
    _age_local(leaf, 8 * DAY)
    above = _Above(runs=runs, leaf_expiration="7 d")
    above.output().remove()
    assert _build(_Above(runs=runs, leaf_expiration="7 d")) == 2
    assert (_runs(runs, "expiring"), _runs(runs, "above")) == (2, 2)


def test_config_sets_the_expiration_of_every_task(workspace: Path, runs: str) -> None:
    config = luigi.configuration.get_config()
    had_section = config.has_section("TaskOnKart")
    if not had_section:
        config.add_section("TaskOnKart")
    config.set("TaskOnKart", "cache_expiration", "7 d")
    try:
        luigi.task_register.Register.clear_instance_cache()
        assert _Expiring(runs=runs).cache_expiration == WEEK
        _build(_Expiring(runs=runs))
        _age_local(_Expiring(runs=runs), 8 * DAY)
        _build(_Expiring(runs=runs))
        assert _runs(runs, "expiring") == 2
    finally:
        config.remove_option("TaskOnKart", "cache_expiration")
        if not had_section:
            config.remove_section("TaskOnKart")
        luigi.task_register.Register.clear_instance_cache()


# --- prefetch and explain ---------------------------------------------------------------------


def test_the_prefetch_never_answers_an_expired_task_as_complete(workspace: Path, runs: str) -> None:
    _build(_Above(runs=runs, leaf_expiration="7 d"))
    leaf = _Expiring(runs=runs, cache_expiration=WEEK)
    _age_local(leaf, 8 * DAY)
    above = _Above(runs=runs, leaf_expiration="7 d")
    above.output().remove()
    answers = prefetch(above)
    assert above.task_id in answers.known  # an ordinary task is still answered from the batch
    assert leaf.task_id not in answers.known  # left to its own complete(), which says expired
    assert not leaf.complete()
    # the root alone with an expiration: not answered from its existence either
    assert leaf.task_id not in prefetch(leaf).known


def test_the_prefetch_answers_a_missing_expiring_output_as_incomplete(workspace: Path, runs: str) -> None:
    above = _Above(runs=runs, leaf_expiration="7 d")
    leaf = _Expiring(runs=runs, cache_expiration=WEEK)
    known = prefetch(above).known
    assert known[leaf.task_id][1] is False


def test_explain_names_the_expiration_and_when_the_output_was_written(workspace: Path, runs: str) -> None:
    _build(_Above(runs=runs, leaf_expiration="7 d"))
    leaf = _Expiring(runs=runs, cache_expiration=WEEK)
    _age_local(leaf, 8 * DAY)
    written = datetime.datetime.fromtimestamp(os.stat(leaf.output().path()).st_mtime, datetime.UTC)
    assert kart_task.explain(_Above(runs=runs, leaf_expiration="7 d")) == []  # luigi stops at the root
    records = kart_task.explain(leaf)
    assert [(record.reason, record.detail) for record in records] == [
        (
            "output older than cache_expiration 7 days",
            f"written {written:%Y-%m-%d %H:%M:%S} UTC ({leaf.output().path()})",
        )
    ]
    text = kart_task.format_explanation(records)
    assert "- output older than cache_expiration 7 days: written " in text


def test_describe_spells_the_expiration() -> None:
    assert _expiry.describe(WEEK) == "7 days"
    assert _expiry.describe(datetime.timedelta(days=1, hours=12)) == "1 day 12 hours"
    assert _expiry.describe(datetime.timedelta(seconds=90)) == "1 minute 30 seconds"


# --- object stores: the clock moves instead --------------------------------------------------


@pytest.fixture
def s3_workspace(s3_server: Server) -> str:
    bucket = f"kart-expiry-{uuid.uuid4().hex[:12]}"
    filesystem: Any = kart_storage.filesystem_for(f"s3://{bucket}/")
    filesystem.client.create_bucket(Bucket=bucket)
    return f"s3://{bucket}/ws"


@pytest.fixture
def gcs_workspace(gcs_server: Server) -> str:
    bucket = f"kart-expiry-{uuid.uuid4().hex[:12]}"
    filesystem: Any = kart_storage.filesystem_for(f"gs://{bucket}/")
    filesystem.client.create_bucket(bucket)
    return f"gs://{bucket}/ws"


@pytest.fixture(params=["s3", "gcs"])
def store(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_workspace"))


def _later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    moment = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=seconds)
    monkeypatch.setattr(_expiry, "_now", lambda: moment)


def test_an_expired_object_runs_the_task_again(
    store: str, runs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make = lambda: _Expiring(runs=runs, cache_expiration=WEEK, workspace_directory=store)  # noqa: E731
    assert _build(make()) == 1
    written = make().output().last_modification_time()
    assert abs(datetime.datetime.now(datetime.UTC) - written) < datetime.timedelta(hours=1)  # server time
    _later(monkeypatch, 8 * DAY)
    assert not make().complete()
    records = kart_task.explain(make())
    assert [record.reason for record in records] == ["output older than cache_expiration 7 days"]
    assert make().output().path() in records[0].detail
    assert _build(make()) == 1
    assert _runs(runs, "expiring") == 2


def test_a_fresh_object_is_kept(store: str, runs: str, monkeypatch: pytest.MonkeyPatch) -> None:
    make = lambda: _Expiring(runs=runs, cache_expiration=WEEK, workspace_directory=store)  # noqa: E731
    _build(make())
    _later(monkeypatch, 6 * DAY)
    assert make().complete()
    assert kart_task.explain(make()) == []
    _build(make())
    assert _runs(runs, "expiring") == 1


def test_an_object_without_expiration_never_expires(
    store: str, runs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make = lambda: _Expiring(runs=runs, workspace_directory=store)  # noqa: E731
    _build(make())
    _later(monkeypatch, 3650 * DAY)
    assert make().complete()
    _build(make())
    assert _runs(runs, "expiring") == 1


def test_the_prefetch_leaves_an_expired_object_to_its_own_check(
    store: str, runs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    above = lambda: _Above(runs=runs, leaf_expiration="7 d", workspace_directory=store)  # noqa: E731
    _build(above())
    # 8 days later until the leaf has run again: its new output is then fresh for the dependent's check
    real_now = _expiry._now
    monkeypatch.setattr(
        _expiry,
        "_now",
        lambda: real_now() + datetime.timedelta(days=8 if _runs(runs, "expiring") < 2 else 0),
    )
    above().output().remove()
    leaf = _Expiring(runs=runs, cache_expiration=WEEK, workspace_directory=store)
    assert leaf.task_id not in prefetch(above()).known
    assert _build(above()) == 2
    assert (_runs(runs, "expiring"), _runs(runs, "above")) == (2, 2)
