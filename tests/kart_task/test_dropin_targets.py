# ruff: noqa: E501  (the embedded scripts are kept readable as whole lines)
"""gokart's target seams, compared with upstream gokart 1.12.2 where they can be observed.

- `patch('luigi.LocalTarget', new=lambda path, **kw: MockTarget(path, **kw))` keeps every local output
  (and the supplementary logs) in luigi's MockFileSystem, at the paths upstream uses, and nothing on disk;
- a `TargetOnKart` subclass written as gokart users write one works for dump, load, exists, complete;
- `complete()` accepts any object with `exists()`; only kart's own targets are batched;
- the lock parameters a task's targets report, and the text of a missing output's FileNotFoundError.

Each comparison runs one script twice in fresh interpreters: `import gokart` under upstream, `import
kart_task as gokart` here (kart-task's own tests never import the meta-package).
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest.mock import Mock, patch

import luigi
import luigi.local_target
import pytest
from luigi.mock import MockFileSystem, MockTarget

import kart_storage
import kart_task
from _upstream import last_json, run_here, run_upstream
from kart_task import _luigi_targets

UPSTREAM_NAMES = {
    "{lib}": "gokart",
    "{base}": "from gokart.target import TargetOnKart",
    "{lock_params}": "from gokart.conflict_prevention_lock.task_lock import make_task_lock_params",
}
KART_NAMES = {
    "{lib}": "kart_task",
    "{base}": "from kart_storage import TargetOnKart",
    "{lock_params}": "from kart_lock import make_task_lock_params",
}


def _fill(script: str, names: dict[str, str]) -> str:
    for placeholder, text in names.items():
        script = script.replace(placeholder, text)
    return script


def _both(script: str, cwd: Path) -> tuple[Any, Any]:
    upstream_dir, kart_dir = cwd / "upstream", cwd / "kart"
    upstream_dir.mkdir()
    kart_dir.mkdir()
    upstream = last_json(run_upstream(_fill(script, UPSTREAM_NAMES), cwd=upstream_dir))
    kart = last_json(run_here(_fill(script, KART_NAMES), cwd=kart_dir))
    return upstream, kart


@pytest.fixture
def mock_local_target() -> Any:
    MockFileSystem().clear()
    with patch("luigi.LocalTarget", new=lambda path, **kw: MockTarget(path, **kw)):
        yield MockFileSystem()
    MockFileSystem().clear()


# --- 1. a patched luigi.LocalTarget -------------------------------------------------------------

MOCK_PIPELINE = """
import json, os
from unittest.mock import patch
import luigi
import pandas as pd
from luigi.mock import MockTarget, MockFileSystem
import {lib} as gokart

class A(gokart.TaskOnKart):
    x = luigi.IntParameter(default=1)
    def run(self):
        self.dump({'a': self.x})

class B(gokart.TaskOnKart):
    a = gokart.TaskInstanceParameter()
    def output(self):
        return {'p': self.make_target('b/out.pkl'), 'c': self.make_target('b/out.csv'), 't': self.make_target('b/out.txt')}
    def run(self):
        v = self.load('a')
        self.dump(v, 'p'); self.dump(pd.DataFrame({'v': [v['a']]}), 'c'); self.dump('text é', 't')

report = {}
with patch('luigi.LocalTarget', new=lambda path, **kw: MockTarget(path, **kw)):
    task = B(a=A())
    report['before'] = task.complete()
    report['built'] = gokart.build(task, reset_register=False)['p']
    report['after'] = task.complete()
    data = MockFileSystem().get_all_data()
    report['keys'] = sorted(data.keys())
    report['csv'] = data[task.output()['c'].path()].decode()
    report['txt'] = data[task.output()['t'].path()].decode()
    report['loaded'] = task.output()['p'].load()
    report['disk'] = os.path.exists('resources')
    MockFileSystem().clear()
    report['after_clear'] = task.complete()
    other = B(a=A(x=2))
    report['second'] = gokart.build(other, reset_register=False)['p']
    report['second_keys'] = sorted(MockFileSystem().get_all_data().keys())
report['disk_at_end'] = os.path.exists('resources')
report['outside_patch'] = task.complete()
print(json.dumps(report))
"""


def test_patched_local_target_keeps_outputs_and_logs_in_memory_as_upstream(tmp_path: Path) -> None:
    upstream, kart = _both(MOCK_PIPELINE, tmp_path)
    assert kart == upstream
    assert kart["keys"]
    assert all(key.startswith("./resources/") for key in kart["keys"])
    assert any("/log/task_log/" in key for key in kart["keys"])  # supplementary logs too
    assert kart["disk"] is False
    assert kart["disk_at_end"] is False
    assert (kart["before"], kart["after"], kart["after_clear"]) == (False, True, False)
    assert kart["built"] == {"a": 1}
    assert kart["second"] == {"a": 2}


TARGET_LIFETIME = """
import json, os
from unittest.mock import patch
import luigi
from luigi.mock import MockTarget, MockFileSystem
import {lib} as gokart

class A(gokart.TaskOnKart):
    def run(self):
        self.dump(1)

task = A()
early = task.make_target('x/early.pkl')
with patch('luigi.LocalTarget', new=lambda path, **kw: MockTarget(path, **kw)):
    early.dump(5)
    late = task.make_target('x/late.pkl')
    late.dump(3)
    removed = task.make_target('x/removed.pkl')
    removed.dump(4)
    removed_before = removed.exists()
    removed.remove()
print(json.dumps({
    'early_on_disk': os.path.exists(early.path()),
    'late_on_disk': os.path.exists(late.path()),
    'late_exists_after_patch': late.exists(),
    'late_loaded_after_patch': late.load(),
    'removed': [removed_before, removed.exists()],
    'keys': sorted(MockFileSystem().get_all_data().keys()),
}))
"""


def test_the_luigi_target_class_is_the_one_in_effect_when_the_target_is_made(tmp_path: Path) -> None:
    upstream, kart = _both(TARGET_LIFETIME, tmp_path)
    assert kart == upstream
    assert kart["early_on_disk"] is True
    assert kart["late_on_disk"] is False
    assert kart["late_loaded_after_patch"] == 3
    assert kart["removed"] == [True, False]


def test_unpatched_local_paths_keep_the_fast_local_file_system(workspace: Path) -> None:
    assert luigi.LocalTarget is luigi.local_target.LocalTarget
    assert _luigi_targets.patched_local_filesystem("./resources/a.pkl") is None
    target = kart_task.TaskOnKart().make_target("a.pkl")
    assert isinstance(target, kart_storage.SingleFileTarget)
    assert type(target.filesystem) is kart_storage.LocalFileSystem


def test_patched_targets_use_the_luigi_class_and_batch_nothing_on_disk(
    workspace: Path, mock_local_target: Any
) -> None:
    target = kart_task.TaskOnKart().make_target("a.pkl")
    assert isinstance(target, kart_storage.SingleFileTarget)
    assert isinstance(target.filesystem, _luigi_targets.LuigiTargetFileSystem)
    assert kart_storage.exists_many([target]) == [False]
    target.dump({"k": 1})
    assert kart_storage.exists_many([target]) == [True]
    assert target.path() in mock_local_target.get_all_data()
    assert not (workspace / "resources").exists()


def test_gzip_upstream_could_not_write_through_mock_target_works(
    workspace: Path, mock_local_target: Any
) -> None:
    """gzip failed under the patch upstream (MockTarget streams have no fileno, no name, no seek); kart's
    spooled streams make it round-trip in memory. (parquet and feather, which need the pyarrow extra, are
    checked in tests/gokart/test_dropin_targets_upstream.py.)"""
    task = kart_task.TaskOnKart()
    gz = task.make_target("a.gz")
    gz.dump("hello")
    assert gz.load() == ["hello"]  # gokart's gzip text comes back as lines
    assert not (workspace / "resources").exists()


def test_last_modification_time_and_modification_time_check_under_the_patch(
    workspace: Path, mock_local_target: Any
) -> None:
    """upstream asked the disk (os.path.getmtime) and failed; kart records when it wrote."""

    class Early(kart_task.TaskOnKart):
        def run(self) -> None:
            self.dump(1)

    class Late(kart_task.TaskOnKart):
        early = kart_task.TaskInstanceParameter()

        def run(self) -> None:
            self.dump(self.load("early") + 1)

    late = Late(early=Early(), modification_time_check=True)
    assert kart_task.build(late, reset_register=False) == 2
    before = datetime.now().astimezone()
    assert late.output().last_modification_time() <= before
    assert late.complete()
    Early().output().remove()
    with pytest.raises(FileNotFoundError):
        Early().output().last_modification_time()
    Early().output().dump(1)  # the input is now newer than the output
    assert not Late(early=Early(), modification_time_check=True).complete()
    assert not (workspace / "resources").exists()


def test_a_failed_dump_publishes_nothing_in_the_mock_file_system(
    workspace: Path, mock_local_target: Any
) -> None:
    target = kart_task.TaskOnKart().make_target("a.csv")
    with pytest.raises(TypeError):
        target.dump(object())
    assert not target.exists()
    assert list(mock_local_target.get_all_data().keys()) == []


# --- 2. custom targets, luigi.Target, objects with exists() ----------------------------------------

CUSTOM_TARGET = """
import json, os, pickle, threading
from datetime import datetime
import luigi
import {lib} as gokart
{base}
{lock_params}

received = []

class PickleTarget(TargetOnKart):
    # written as gokart users write one: no super().__init__(), a `_lock` of its own
    def __init__(self, path):
        self._p = path
        self._lock = threading.Lock()
    def _exists(self):
        return os.path.exists(self._p)
    def _load(self):
        with self._lock, open(self._p, 'rb') as f:
            return pickle.load(f)
    def _dump(self, obj, task_params=None, custom_labels=None, required_task_outputs=None):
        received.append([task_params, custom_labels, [type(x).__name__ for x in (required_task_outputs or [])]])
        with self._lock, open(self._p, 'wb') as f:
            pickle.dump(obj, f)
    def _remove(self):
        os.remove(self._p)
    def _path(self):
        return self._p
    def _last_modification_time(self):
        return datetime.fromtimestamp(os.path.getmtime(self._p))
    def _get_task_lock_params(self):
        return make_task_lock_params(file_path=self._p, unique_id=None)

class Source(gokart.TaskOnKart):
    def output(self):
        return PickleTarget('source.pkl')
    def run(self):
        self.dump({'v': 1})

class Sink(gokart.TaskOnKart):
    source = gokart.TaskInstanceParameter()
    def make_target(self, relative_file_path=None, use_unique_id=True, processor=None):
        return PickleTarget('sink_' + (relative_file_path or 'out.pkl').replace('/', '_'))
    def run(self):
        self.dump({'seen': self.load('source')})

report = {}
source = Source()
report['luigi_target'] = [isinstance(source.output(), luigi.Target), isinstance(gokart.TaskOnKart().make_target('a.pkl'), luigi.Target)]
report['complete_before'] = source.complete()
sink = Sink(source=source)
report['built'] = gokart.build(sink, reset_register=False)
report['complete_after'] = [source.complete(), sink.complete()]
report['received'] = received
report['files'] = sorted(f for f in os.listdir('.') if f.endswith('.pkl'))
target = PickleTarget('direct.pkl')
target.dump(3)
report['direct'] = [target.exists(), target.load(), target.path()]
target.remove()
target.remove()  # a missing target is not an error
report['direct_after_remove'] = target.exists()
report['vars'] = sorted(k for k in vars(target) if not k.startswith('_kart'))
print(json.dumps(report))
"""


def test_a_custom_target_written_for_gokart_works_as_upstream(tmp_path: Path) -> None:
    upstream, kart = _both(CUSTOM_TARGET, tmp_path)
    assert kart == upstream
    assert kart["luigi_target"] == [True, True]
    assert kart["built"] == {"seen": {"v": 1}}
    assert kart["complete_after"] == [True, True]
    assert kart["received"][0] == [{}, None, []]  # values, as gokart passed them, not kart's callables


def test_kart_targets_are_luigi_targets() -> None:
    target = kart_storage.make_target("memory://x.pkl")
    assert isinstance(target, luigi.Target)
    assert issubclass(kart_storage.TargetOnKart, luigi.target.Target)


SIGNATURES = """
import inspect, json
{base}
names = ['exists', 'load', 'dump', 'remove', 'last_modification_time', 'path',
         '_exists', '_load', '_dump', '_remove', '_path', '_last_modification_time', '_get_task_lock_params']
def shape(function):
    return [[p.name, repr(p.default) if p.default is not inspect.Parameter.empty else None, str(p.kind)]
            for p in inspect.signature(function).parameters.values()]
print(json.dumps({'abstract': sorted(TargetOnKart.__abstractmethods__),
                  'signatures': {name: shape(getattr(TargetOnKart, name)) for name in names}}))
"""


def test_target_on_kart_methods_have_upstreams_signatures(tmp_path: Path) -> None:
    """Observed on upstream by `inspect`, not read from its source. kart does not make
    `_get_task_lock_params` abstract (its own targets report the parameters they were made with, and a
    subclass without it simply has no lock); every other hook is abstract, as upstream."""
    upstream, kart = _both(SIGNATURES, tmp_path)
    assert kart["signatures"] == upstream["signatures"]
    assert set(upstream["abstract"]) - set(kart["abstract"]) == {"_get_task_lock_params"}
    assert set(kart["abstract"]) <= set(upstream["abstract"])


class _Plain(kart_task.TaskOnKart):
    pass


def test_complete_accepts_a_mock_with_the_target_spec(workspace: Path) -> None:
    """gokart's own tests (and users') return Mock(spec=TargetOnKart) from output(); it must be asked,
    never batched (its _storage_location is a Mock too)."""
    target = Mock(spec=kart_storage.TargetOnKart)
    target.exists.return_value = True
    task = _Plain()
    with patch.object(_Plain, "output", return_value=target):
        assert task.complete()
        assert "(COMPLETE) _Plain" in kart_task.make_task_info_as_tree_str(task)
        target.exists.return_value = False
        assert not task.complete()
        assert "(PENDING) _Plain" in kart_task.make_task_info_as_tree_str(task)
    assert target.exists.call_count >= 4


def test_exists_many_batches_only_kart_targets_whose_existence_is_not_redefined(workspace: Path) -> None:
    calls: list[list[str]] = []

    class Counting(kart_storage.MemoryFileSystem):
        def exists_many(self, paths: Any) -> list[bool]:
            calls.append(list(paths))
            return super().exists_many(paths)

    filesystem = Counting()
    processor = kart_storage.PickleFileProcessor()
    own = [kart_storage.SingleFileTarget(f"m/{i}.pkl", processor, filesystem=filesystem) for i in range(3)]
    own[1].dump(1)

    class Redefined(kart_storage.SingleFileTarget):
        def exists(self) -> bool:
            return True

    redefined = Redefined("m/r.pkl", processor, filesystem=filesystem)
    mock = Mock(spec=kart_storage.TargetOnKart)
    mock.exists.return_value = True
    luigi_target = MockTarget("nowhere")
    answers = kart_storage.exists_many([*own, redefined, mock, luigi_target])
    assert answers == [False, True, False, True, True, False]
    assert calls == [["m/0.pkl", "m/1.pkl", "m/2.pkl"]]


def test_a_target_that_never_called_init_has_no_lock_and_keeps_its_own_lock_attribute(
    workspace: Path,
) -> None:
    class Bare(kart_storage.TargetOnKart):
        def __init__(self) -> None:
            self._lock = threading.Lock()
            self.value: Any = None

        def _exists(self) -> bool:
            return self.value is not None

        def _load(self) -> Any:
            with self._lock:
                return self.value

        def _dump(
            self,
            obj: Any,
            task_params: Any = None,
            custom_labels: Any = None,
            required_task_outputs: Any = None,
        ) -> None:
            with self._lock:
                self.value = obj

        def _remove(self) -> None:
            self.value = None

        def _path(self) -> str:
            return "bare"

        def _last_modification_time(self) -> datetime:
            return datetime.now()

    bare = Bare()
    assert bare.lock is None
    assert bare._get_task_lock_params() is None
    bare.dump(2, task_params=lambda: {"p": "1"}, required_task_outputs=list)
    assert bare.exists()
    assert bare.load() == 2
    bare.remove()
    assert not bare.exists()


# --- 3. lock parameters of a task's targets ---------------------------------------------------------

LOCK_PARAMS = """
import json
import {lib} as gokart

class A(gokart.TaskOnKart):
    def run(self):
        self.dump(1)

report = []
for kw in [{}, dict(redis_host='h', redis_port=1), dict(redis_host='h', redis_port=1, should_lock_run=True),
           dict(redis_host='h', redis_port=2, redis_timeout=20), dict(redis_host='h')]:
    task = A(**kw)
    targets = [task.output(), task.make_target('a/b.csv', use_unique_id=False),
               task.make_model_target('a/m.zip', save_function=print, load_function=print),
               task.make_large_data_frame_target(), task._get_task_log_target()]
    report.append([list(t._get_task_lock_params()) for t in targets])
report.append(hasattr(A(), '_get_task_lock_params'))  # upstream: the targets report them, not the task
print(json.dumps(report))
"""


def test_targets_report_the_tasks_lock_parameters_as_upstream(tmp_path: Path) -> None:
    upstream, kart = _both(LOCK_PARAMS, tmp_path)
    assert kart == upstream
    assert kart[-1] is False
    plain, locked = kart[0][0], kart[1][0]
    assert plain[:5] == [None, None, 180, "A_c72fa9f02fa5c6f019adbf9fe425c9eb", False]
    assert locked[:5] == ["h", 1, 180, "A_c72fa9f02fa5c6f019adbf9fe425c9eb", True]


# --- 4. the FileNotFoundError of a missing output ---------------------------------------------------

MISSING = """
import json
import {lib} as gokart

class A(gokart.TaskOnKart):
    def run(self):
        self.dump(1)

class B(gokart.TaskOnKart):
    a = gokart.TaskInstanceParameter()
    def run(self):
        self.dump(self.load('a'))

report = []
def attempt(load):
    try:
        load()
    except FileNotFoundError as error:
        report.append([str(error).splitlines()[0], error.errno, error.filename])
for name in ['m/x.pkl', 'm/x.csv', 'm/x.txt', 'm/x.gz', 'm/x.parquet']:
    attempt(A().make_target(name).load)
attempt(A().make_model_target('m/x.zip', save_function=print, load_function=print).load)
attempt(lambda: B(a=A()).load('a'))
print(json.dumps(report))
"""


def test_a_missing_output_raises_upstreams_file_not_found_text(tmp_path: Path) -> None:
    upstream, kart = _both(MISSING, tmp_path)
    assert kart == upstream
    assert (
        kart[0][0]
        == "[Errno 2] No such file or directory: './resources/m/x_c72fa9f02fa5c6f019adbf9fe425c9eb.pkl'"
    )
    assert len(kart) == 7


def test_target_not_found_error_pickles_and_keeps_its_path() -> None:
    import pickle

    error = kart_storage.TargetNotFoundError("s3://bucket/key.pkl")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is kart_storage.TargetNotFoundError
    assert (copy.path, copy.filename, copy.errno, str(copy)) == (
        error.path,
        "s3://bucket/key.pkl",
        2,
        "[Errno 2] No such file or directory: 's3://bucket/key.pkl'",
    )
    assert isinstance(copy, FileNotFoundError)
    assert isinstance(copy, kart_storage.KartStorageError)


def test_lock_parameters_go_to_the_installed_wrappers_in_gokarts_call_shapes(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kart_storage import _targets

    calls: list[tuple[str, Any]] = []

    def dump(func: Any, params: Any, exist_check: Any) -> Any:
        calls.append(("dump", params.redis_key))
        assert exist_check() is False
        return func

    def load(func: Any, params: Any) -> Any:
        calls.append(("load", params.redis_key))
        return func

    def remove(func: Any, params: Any) -> Any:
        calls.append(("remove", params.redis_key))
        return func

    monkeypatch.setattr(_targets, "_lock_wrappers", [])
    kart_storage.set_lock_wrappers(kart_storage.LockWrappers(dump=dump, load=load, remove=remove))
    target = _Plain().make_target("data/x.pkl")
    target.dump(1)
    target.dump(1, lock_at_dump=False)
    assert target.load() == 1
    target.remove()
    key = "x_" + _Plain().make_unique_id()
    assert calls == [("dump", key), ("load", key), ("remove", key)]
    kart_storage.set_lock_wrappers(None)
    target.dump(2)  # no wrappers installed: written unlocked
    assert calls[-1] == ("remove", key)
    assert target.load() == 2


def test_a_filesystem_override_chooses_per_target_and_none_falls_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kart_storage import _filesystem

    memory = kart_storage.MemoryFileSystem()
    monkeypatch.setattr(_filesystem, "_overrides", {})
    kart_storage.override_filesystem("file", lambda path: memory if path.startswith("mem-") else None)
    assert kart_storage.filesystem_for("mem-a.pkl") is memory
    assert type(kart_storage.filesystem_for("disk-a.pkl")) is kart_storage.LocalFileSystem
    kart_storage.override_filesystem("file", None)
    assert type(kart_storage.filesystem_for("mem-a.pkl")) is kart_storage.LocalFileSystem
