# ruff: noqa: E501  (the embedded scripts are kept readable as whole lines)
"""`gokart.target` and a patched `luigi.LocalTarget` through the meta-package, against upstream 1.12.2.

The same script runs under upstream gokart and under kart's `gokart` (fresh interpreters, separate
working directories); their JSON reports must be equal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import luigi
import pytest

import gokart.target
from _upstream import last_json, run_here, run_upstream


def _both(script: str, cwd: Path) -> tuple[Any, Any]:
    upstream_dir, kart_dir = cwd / "upstream", cwd / "kart"
    upstream_dir.mkdir()
    kart_dir.mkdir()
    return last_json(run_upstream(script, cwd=upstream_dir)), last_json(run_here(script, cwd=kart_dir))


LOCK_WRAPPERS = """
import json, os
from datetime import datetime
from unittest.mock import patch
import gokart.target as gt

def describe(mock):
    return [[sorted(call.kwargs), [type(a).__name__ for a in call.args],
             list(call.kwargs.get('task_lock_params', ())),
             getattr(call.kwargs.get('func', call.args[0] if call.args else None), '__name__', None)]
            for call in mock.call_args_list]

class Custom(gt.TargetOnKart):
    def _exists(self): return os.path.exists('custom.txt')
    def _load(self): return open('custom.txt').read()
    def _dump(self, obj, task_params=None, custom_labels=None, required_task_outputs=None):
        open('custom.txt', 'w').write(str(obj))
    def _remove(self): os.remove('custom.txt')
    def _path(self): return 'custom.txt'
    def _last_modification_time(self): return datetime.now()
    def _get_task_lock_params(self): return gt.make_task_lock_params(file_path='dir/custom.txt', unique_id='u')

report = {}
for name, target in [('single', gt.make_target('data/x.pkl', unique_id='abc')),
                     ('model', gt.make_model_target('data/m.zip', 'tmp', save_function=lambda o, p: open(p, 'w').write(str(o)), load_function=lambda p: open(p).read())),
                     ('custom', Custom())]:
    target.dump(1)  # real wrappers, lock off: written
    with patch('gokart.target.wrap_dump_with_lock') as dump, patch('gokart.target.wrap_load_with_lock') as load, patch('gokart.target.wrap_remove_with_lock') as remove:
        target.dump(2)
        target.dump(3, lock_at_dump=False)
        target.load()
        target.remove()
        report[name] = {'dump': describe(dump), 'dump_inner': [sorted(c.kwargs) for c in dump.return_value.call_args_list],
                        'load': describe(load), 'load_inner': [list(c.args) + sorted(c.kwargs) for c in load.return_value.call_args_list],
                        'remove': describe(remove), 'remove_inner': [list(c.args) for c in remove.return_value.call_args_list],
                        'lock_params': list(target._get_task_lock_params())}
        if name == 'model':  # upstream's zip writes its loader through a nested target: a 2nd dump call
            report[name]['dump'], report[name]['dump_inner'] = describe(dump)[:1], report[name]['dump_inner'][:1]
print(json.dumps(report))
"""


def test_targets_lock_through_the_patchable_wrappers_of_gokart_target(tmp_path: Path) -> None:
    """spec §5: dump calls `gokart.target.wrap_dump_with_lock` when lock_at_dump is true and only then;
    load and remove go through `wrap_load_with_lock` / `wrap_remove_with_lock`, with the same arguments."""
    upstream, kart = _both(LOCK_WRAPPERS, tmp_path)
    assert kart == upstream
    single = kart["single"]
    assert len(single["dump"]) == 1  # not for lock_at_dump=False
    assert single["dump"][0][0] == ["exist_check", "func", "task_lock_params"]
    assert single["lock_params"][3] == "x_abc"
    assert kart["custom"]["lock_params"][3] == "custom_u"


SIGNATURES = """
import inspect, json
import gokart.target as gt
def shape(function):
    return [[p.name, repr(p.default) if p.default is not inspect.Parameter.empty else None, str(p.kind)]
            for p in inspect.signature(function).parameters.values()]
print(json.dumps({name: shape(getattr(gt, name)) for name in ['make_target', 'make_model_target']}))
"""


def test_make_target_signatures_are_upstreams(tmp_path: Path) -> None:
    upstream, kart = _both(SIGNATURES, tmp_path)
    assert kart == upstream


NAMES = """
import json, types
import gokart.target as gt
wanted = ['FileProcessor', 'FlattenableItems', 'GCSObjectMetadataClient', 'LargeDataFrameProcessor', 'ModelTarget',
          'ObjectStorage', 'RequiredTaskOutput', 'SingleFileTarget', 'TargetOnKart', 'TaskLockParams',
          'make_file_processor', 'make_model_target', 'make_target', 'make_task_lock_params', 'make_zip_client',
          'wrap_dump_with_lock', 'wrap_load_with_lock', 'wrap_remove_with_lock']
print(json.dumps({name: hasattr(gt, name) for name in wanted}))
"""


def test_gokart_target_has_upstreams_public_names(tmp_path: Path) -> None:
    upstream, kart = _both(NAMES, tmp_path)
    assert kart == upstream
    assert all(kart.values())
    assert {"ObjectStorage", "GCSObjectMetadataClient", "make_zip_client"} <= set(gokart.target.__all__)


MOCKED_PIPELINE = """
import json, os
from unittest.mock import patch
import luigi
import pandas as pd
from luigi.mock import MockTarget, MockFileSystem
import gokart
from gokart.tree.task_info import dump_task_info_table, dump_task_info_tree, make_task_info_as_tree_str

class A(gokart.TaskOnKart):
    def run(self):
        self.dump(pd.DataFrame({'a': [1]}))

class B(gokart.TaskOnKart):
    a = gokart.TaskInstanceParameter()
    def run(self):
        self.dump(self.load('a'))

report = {}
with patch('luigi.LocalTarget', new=lambda path, **kw: MockTarget(path, **kw)):
    task = B(a=A())
    report['built'] = gokart.build(task).to_dict()
    report['tree'] = make_task_info_as_tree_str(task)
    report['tree_info'] = gokart.make_tree_info(task)
    dump_task_info_table(task, 'info/table.csv')
    dump_task_info_tree(task, 'info/tree.pkl')
    data = MockFileSystem().get_all_data()
    report['keys'] = sorted(data.keys())
    report['table_head'] = data[[k for k in data.keys() if k.startswith('info/table')][0]].decode().splitlines()[0]
    restored = A.restore(A().make_unique_id())
    report['restored'] = [type(restored).__name__, restored.make_unique_id()]
    report['disk'] = sorted(os.listdir('.'))
    MockFileSystem().clear()
    report['complete_after_clear'] = B(a=A()).complete()
    report['tree_after_clear'] = make_task_info_as_tree_str(B(a=A()))
print(json.dumps(report))
"""


def test_build_tree_info_and_task_info_dumps_under_a_patched_local_target(tmp_path: Path) -> None:
    upstream, kart = _both(MOCKED_PIPELINE, tmp_path)
    assert kart == upstream
    assert kart["built"] == {"a": {"0": 1}}
    assert kart["disk"] == []  # nothing on disk: every output, log and info dump is in MockFileSystem
    assert "info/tree_f78d38680519bb42e8c79eac24751506.pkl" in kart["keys"]
    assert kart["complete_after_clear"] is False


def test_gokart_targets_are_luigi_targets() -> None:
    target = gokart.target.make_target("memory://x.pkl")
    assert isinstance(target, luigi.Target)
    assert isinstance(target, gokart.target.TargetOnKart)


def test_parquet_and_feather_round_trip_through_a_patched_local_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both failed under the patch upstream (MockTarget streams have no fileno, no name, no seek); kart's
    spooled streams make them round-trip in memory, and nothing reaches the disk."""
    import pandas as pd
    from luigi.mock import MockFileSystem, MockTarget

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(luigi, "LocalTarget", lambda path, **kw: MockTarget(path, **kw))
    MockFileSystem().clear()
    task = gokart.TaskOnKart()
    frame = pd.DataFrame({"a": [1, 2]})
    try:
        for name in ["a.parquet", "a.feather"]:
            target = task.make_target(name)
            target.dump(frame)
            assert target.load().equals(frame)
        assert any(key.endswith(".parquet") for key in MockFileSystem().get_all_data())
        assert any(key.endswith(".feather") for key in MockFileSystem().get_all_data())
    finally:
        MockFileSystem().clear()
    assert not (tmp_path / "resources").exists()
