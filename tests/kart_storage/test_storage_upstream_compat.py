"""Files written by upstream gokart 1.12.2 and by kart-storage are interchangeable.

How compatibility is checked: one source snippet (`_OBJECTS`) builds the same objects under both
libraries. Upstream's `gokart.target.make_target(path).dump(obj)` writes them into one directory and
kart's `make_target(path).dump(obj)` into another. Then upstream loads *both* directories and prints a
JSON summary of every loaded object, and kart loads both directories and summarises them with the same
function: all four summaries must agree per file. On top of that, the files whose bytes are
deterministic must be byte-identical between the two libraries (`_BYTE_IDENTICAL`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import kart_hash
import kart_storage
from _upstream import run_upstream

_OBJECTS = r"""
def make_objects():
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"i": [1, 2, 3], "f": [0.5, 1.5, None], "s": ["a", "b", "c"]})
    named = frame.set_index(pd.Index([10, 20, 30], name="key"))
    return {
        "plain.pkl": {"numbers": [1, 2, 3], "text": "h\u00e9llo", "nested": ("t", 1.5, None)},
        "frame.pkl": named,
        "lines.txt": ["alpha", "beta", 3],
        "conf.ini": ["[section]", "key=value"],
        "table.csv": frame,
        "series.csv": pd.Series([1, 2], name="n"),
        "table.tsv": frame,
        "lines.gz": ["one", "two", "thr\u00e9e"],
        "table.json": named,
        "dict.json": {"a": {"x": 1, "y": 2}},
        "rows.ndjson": frame,
        "array.npz": np.arange(12).reshape(3, 4),
        "table.parquet": frame,
        "table.feather": named,
        "unnamed.feather": frame,
        "image.png": bytes(range(256)),
        "photo.jpg": b"\xff\xd8\xff\xe0jpeg",
    }


def summarise(obj):
    import numpy as np
    import pandas as pd
    import xml.etree.ElementTree as ET

    def cell(v):
        if v is None or (isinstance(v, float) and v != v):
            return None
        if hasattr(v, "item"):
            v = v.item()
        return v

    if isinstance(obj, pd.DataFrame):
        return {
            "type": "DataFrame",
            "columns": [str(c) for c in obj.columns],
            "index": [cell(v) for v in obj.index],
            "index_name": obj.index.name,
            "values": [[cell(v) for v in row] for row in obj.astype(object).values.tolist()],
        }
    if isinstance(obj, np.ndarray):
        return {"type": "ndarray", "dtype": str(obj.dtype), "values": obj.tolist()}
    if isinstance(obj, bytes):
        return {"type": "bytes", "hex": obj.hex()}
    if isinstance(obj, ET.ElementTree):
        return {"type": "xml", "text": ET.tostring(obj.getroot(), encoding="unicode")}
    if isinstance(obj, dict):
        return {"type": "dict", "repr": repr(obj)}
    return {"type": type(obj).__name__, "repr": repr(obj)}
"""

_UPSTREAM_SCRIPT = (
    _OBJECTS
    + r"""
import json, os, sys
from gokart.target import make_target

upstream_dir, kart_dir = sys.argv[1], sys.argv[2]
for name, obj in make_objects().items():
    make_target(os.path.join(upstream_dir, name)).dump(obj)
result = {}
for name in sorted(os.listdir(kart_dir)):
    result[name] = {
        "upstream_file": summarise(make_target(os.path.join(upstream_dir, name)).load())
        if os.path.exists(os.path.join(upstream_dir, name)) else None,
        "kart_file": summarise(make_target(os.path.join(kart_dir, name)).load()),
    }
print(json.dumps(result))
"""
)

# Files whose bytes do not depend on time or on dill being installed: they must be identical.
_BYTE_IDENTICAL = {
    "plain.pkl",
    "lines.txt",
    "lines.gz",
    "conf.ini",
    "table.csv",
    "series.csv",
    "table.tsv",
    "table.json",
    "dict.json",
    "rows.ndjson",
    "table.parquet",
    "table.feather",
    "unnamed.feather",
    "image.png",
    "photo.jpg",
}


def _kart_namespace() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(_OBJECTS, namespace)
    return namespace


@pytest.mark.upstream
def test_files_are_interchangeable_with_upstream_gokart(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    namespace = _kart_namespace()
    upstream_dir, kart_dir = tmp_path / "upstream", tmp_path / "kart"
    upstream_dir.mkdir()
    for name, obj in namespace["make_objects"]().items():
        kart_storage.make_target(str(kart_dir / name)).dump(obj)
    # upstream cannot dump XML at all (its writer fails); it must still read ours
    tree = ET.ElementTree(ET.fromstring("<r a='1'>\u00e9</r>"))
    kart_storage.make_target(str(kart_dir / "tree.xml")).dump(tree)

    summaries = json.loads(
        run_upstream(_UPSTREAM_SCRIPT, str(upstream_dir), str(kart_dir)).strip().splitlines()[-1]
    )

    summarise = namespace["summarise"]
    assert set(summaries) == {*namespace["make_objects"](), "tree.xml"}
    for name, seen_by_upstream in summaries.items():
        loaded = kart_storage.make_target(str(kart_dir / name)).load()
        kart_reads_kart = json.loads(json.dumps(summarise(loaded)))
        assert seen_by_upstream["kart_file"] == kart_reads_kart, name
        if name == "tree.xml":
            assert kart_reads_kart["text"] == '<r a="1">\u00e9</r>'
            continue
        kart_reads_upstream = json.loads(
            json.dumps(summarise(kart_storage.make_target(str(upstream_dir / name)).load()))
        )
        assert seen_by_upstream["upstream_file"] == kart_reads_upstream, name
        assert kart_reads_upstream == kart_reads_kart, name

    for name in sorted(_BYTE_IDENTICAL):
        assert (kart_dir / name).read_bytes() == (upstream_dir / name).read_bytes(), name


_DILL_SCRIPT = (
    _OBJECTS
    + r"""
import io, json, os, sys
sys.path[:0] = sys.argv[2:]  # kart_storage's source and kart_hash's (which it imports)
from gokart.target import make_target
from kart_storage import _pickle

directory = sys.argv[1]
same = {}
for name, obj in make_objects().items():
    if not name.endswith(".pkl"):
        continue
    path = os.path.join(directory, name)
    make_target(path).dump(obj)
    ours = io.BytesIO()
    _pickle.dump(obj, ours)
    with open(path, "rb") as file:
        same[name] = file.read() == ours.getvalue()
print(json.dumps(same))
"""
)


@pytest.mark.upstream
def test_pickles_are_byte_identical_when_dill_is_installed(tmp_path: Path) -> None:
    """kart's pickle writer run inside upstream's venv (which has dill) gives gokart's exact bytes,
    including DataFrames whose numpy arrays dill wraps in its own helpers."""
    source = Path(kart_storage.__file__).resolve().parent.parent
    hash_source = Path(kart_hash.__file__).resolve().parent.parent
    output = run_upstream(_DILL_SCRIPT, str(tmp_path), str(source), str(hash_source))
    result = json.loads(output.strip().splitlines()[-1])
    assert result == {"plain.pkl": True, "frame.pkl": True}
