# ruff: noqa: E501  (the embedded scripts are kept readable as whole lines)
"""Every module of gokart 1.12.2 imports from the meta-package with upstream's public names, signatures and
observable behaviour (each check runs one script on upstream gokart and on kart's gokart and compares).

Upstream's venv has boto3 and moto but no GCS client library, so GCS behaviour that needs a server is
checked on kart's side only, against the GCS emulator.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _servers import Server, gcs_emulator, moto_s3_server, running
from _upstream import last_json, run_here, run_upstream

MODULES = [
    "gokart.object_storage",
    "gokart.task_complete_check",
    "gokart.zip_client",
    "gokart.zip_client_util",
    "gokart.s3_zip_client",
    "gokart.gcs_zip_client",
    "gokart.gcs_obj_metadata_client",
    "gokart.s3_config",
    "gokart.gcs_config",
    "gokart.utils",
    "gokart.file_processor.base",
]

# The public surface of a module: names of gokart's own classes and functions (with their parameters)
# and of the members those classes define; plain module-level data by name.
SURFACE = """
import importlib, inspect, json, sys

def params(obj):
    try:
        target = obj.__init__ if inspect.isclass(obj) else obj
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return None
    return [(p.name, str(p.kind), repr(p.default) if p.default is not p.empty else None)
            for p in sig.parameters.values()]

out = {}
for name in sys.argv[1:]:
    module = importlib.import_module(name)
    entries = {}
    for attr, value in vars(module).items():
        if attr.startswith("__"):
            continue
        home = getattr(value, "__module__", "") or ""
        if inspect.isclass(value) and home.startswith("gokart"):
            members = {}
            homes = [k for k in reversed(value.__mro__) if (k.__module__ or "").startswith("gokart")]
            for member, raw in [item for klass in homes for item in vars(klass).items()]:
                if member.startswith("__") or member.startswith("_abc"):
                    continue
                if isinstance(raw, (staticmethod, classmethod)):
                    members[member] = [type(raw).__name__, params(raw.__func__)]
                elif inspect.isfunction(raw):
                    members[member] = ["function", params(raw)]
                elif isinstance(raw, property):
                    members[member] = ["property", None]
            entries[attr] = ["class", params(value), members]
        elif inspect.isfunction(value) and home.startswith("gokart"):
            entries[attr] = ["function", params(value)]
        elif attr == "object_storage_path_prefix":
            entries[attr] = ["value", value]
    out[name] = entries
print(json.dumps(out, sort_keys=True))
"""

# kart's classes may define more members (helpers of their own); luigi sets this one on every Config.
KART_LACKS = {
    ("gokart.s3_config", "S3Config", "_namespace_at_class_time"),
    ("gokart.gcs_config", "GCSConfig", "_namespace_at_class_time"),
}
# Members are compared for the classes of these modules (the file processors are kart-storage's own).
MEMBERS_OF = {name for name in MODULES if name != "gokart.file_processor.base"} | {"_ChunkedLargeFileReader"}


def test_every_upstream_name_and_signature_is_there() -> None:
    upstream = last_json(run_upstream(SURFACE, *MODULES))
    here = last_json(run_here(SURFACE, *MODULES))
    for module, entries in upstream.items():
        for name, entry in entries.items():
            assert name in here[module], f"{module}.{name} is missing"
            mine = here[module][name]
            assert mine[:2] == entry[:2], f"{module}.{name}: {mine[:2]} != upstream {entry[:2]}"
            if entry[0] != "class" or not ({module, name} & MEMBERS_OF):
                continue
            for member, shape in entry[2].items():
                if (module, name, member) in KART_LACKS:
                    continue
                assert member in mine[2], f"{module}.{name}.{member} is missing"
                assert mine[2][member] == shape, f"{module}.{name}.{member}: {mine[2][member]} != {shape}"


LOADED = """
import json, sys, types
import gokart
bound = sorted(n for n, v in vars(gokart).items() if isinstance(v, types.ModuleType) and not n.startswith("_"))
loaded = sorted(m for m in sys.modules if m.startswith("gokart.") and not any(p.startswith("_") for p in m.split(".")))
print(json.dumps({"bound": bound, "loaded": loaded}))
"""


def test_import_gokart_binds_and_loads_the_submodules_upstream_does() -> None:
    upstream = last_json(run_upstream(LOADED))
    here = last_json(run_here(LOADED))
    assert here["bound"] == upstream["bound"]
    assert here["loaded"] == upstream["loaded"]
    for lazy in ("gokart.s3_config", "gokart.errors", "gokart.in_memory", "gokart.s3_zip_client"):
        assert lazy not in here["loaded"]


# Hides boto3 and the Google libraries the way a machine without gokart[s3]/gokart[gcs] lacks them.
WITHOUT_EXTRAS = """
import json, sys

class HideExtras:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("boto3", "botocore", "googleapiclient", "google"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, HideExtras())
import luigi
import gokart
import gokart.s3_zip_client, gokart.gcs_zip_client  # importing them needs no extra
from gokart.object_storage import ObjectStorage
from gokart.zip_client_util import make_zip_client
from gokart.gcs_obj_metadata_client import GCSObjectMetadataClient

calls = {
    "S3Config.get_s3_client": lambda: __import__("gokart.s3_config").s3_config.S3Config().get_s3_client(),
    "GCSConfig.get_gcs_client": lambda: gokart.gcs_config.GCSConfig().get_gcs_client(),
    "GCSConfig._load_oauth_credentials": lambda: gokart.gcs_config.GCSConfig()._load_oauth_credentials(),
    "ObjectStorage.exists s3": lambda: ObjectStorage.exists("s3://bucket/key"),
    "ObjectStorage.exists gs": lambda: ObjectStorage.exists("gs://bucket/key"),
    "ObjectStorage.get_timestamp s3": lambda: ObjectStorage.get_timestamp("s3://bucket/key"),
    "ObjectStorage.get_zip_client s3": lambda: ObjectStorage.get_zip_client("s3://bucket/m.zip", "/tmp/x"),
    "ObjectStorage.get_zip_client gs": lambda: ObjectStorage.get_zip_client("gs://bucket/m.zip", "/tmp/x"),
    "ObjectStorage.get_object_storage_target s3":
        lambda: ObjectStorage.get_object_storage_target("s3://bucket/k.pkl", luigi.format.Nop),
    "ObjectStorage.get_object_storage_target gs":
        lambda: ObjectStorage.get_object_storage_target("gs://bucket/k.pkl", luigi.format.Nop),
    "make_zip_client s3": lambda: make_zip_client("s3://bucket/m.zip", "/tmp/x"),
    "make_target s3 exists": lambda: gokart.target.make_target("s3://bucket/k.pkl").exists(),
    "make_target gs exists": lambda: gokart.target.make_target("gs://bucket/k.pkl").exists(),
    "add_task_state_labels": lambda: GCSObjectMetadataClient.add_task_state_labels("gs://b/k.pkl", {"a": "b"}),
}
out = {}
for label, call in calls.items():
    try:
        call()
        out[label] = "no error"
    except ImportError as error:
        out[label] = f"{type(error).__name__}: {error}"
print(json.dumps(out))
"""


def test_a_missing_extra_raises_upstreams_import_error_when_used() -> None:
    upstream = last_json(run_upstream(WITHOUT_EXTRAS))
    here = last_json(run_here(WITHOUT_EXTRAS))
    assert here == upstream
    assert "pip install gokart[s3]" in here["ObjectStorage.exists s3"]
    assert "pip install gokart[gcs]" in here["GCSConfig.get_gcs_client"]


@pytest.fixture(scope="module")
def moto() -> Iterator[Server]:
    with running(moto_s3_server()) as server:
        yield server


def _s3_env(moto: Server, tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "luigi.cfg"
    config.write_text(f"[s3]\nendpoint_url=http://{moto.address}\n")
    empty = tmp_path / "no-aws-config"
    return {
        "AWS_ACCESS_KEY_ID": "kart-testing",
        "AWS_SECRET_ACCESS_KEY": "kart-testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://{moto.address}",
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        "LUIGI_CONFIG_PATH": str(config),
    }


OBJECT_STORAGE = """
import io, json, os, sys
import boto3, luigi
import gokart
from gokart.object_storage import ObjectStorage
from gokart.s3_config import S3Config

bucket, side = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3")
if side == "first":
    s3.create_bucket(Bucket=bucket)
out = {}
target = ObjectStorage.get_object_storage_target(f"s3://{bucket}/{side}.txt", luigi.format.Nop)
out["is_luigi_target"] = isinstance(target, luigi.target.FileSystemTarget)
with target.open("w") as stream:
    stream.write(f"written by {side}".encode())
out["exists"] = ObjectStorage.exists(f"s3://{bucket}/{side}.txt")
out["missing"] = ObjectStorage.exists(f"s3://{bucket}/nothing.txt")
out["bucket"] = ObjectStorage.exists(f"s3://{bucket}")
out["timestamp_is_aware"] = ObjectStorage.get_timestamp(f"s3://{bucket}/{side}.txt").utcoffset() is not None
try:
    ObjectStorage.get_timestamp(f"s3://{bucket}/nothing.txt")
except FileNotFoundError:
    out["timestamp_missing"] = "FileNotFoundError"
others = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []) if o["Key"].endswith(".txt"))
out["read"] = {key: ObjectStorage.get_object_storage_target(f"s3://{bucket}/{key}", luigi.format.Nop).open("r").read().decode()
               for key in others}
out["prefixes"] = [ObjectStorage.if_object_storage_path(p) for p in ["s3://a", "gs://a", "/a", "S3://a", "s3:/a"]]
out["buffered"] = [ObjectStorage.is_buffered_reader(f) for f in [io.BytesIO(b""), open(os.devnull, "rb")]]
out["buffered_object_stream"] = ObjectStorage.is_buffered_reader(target.open("r"))
config = S3Config()
client = config.get_s3_client()
out["client"] = type(client).__module__ + "." + type(client).__qualname__
out["client_cached"] = client is config.get_s3_client() and config._client is client
out["new_client"] = config._get_s3_client() is not client
out["client_options"] = client._options
print(json.dumps(out, sort_keys=True))
"""


def test_object_storage_and_s3_config_on_moto(moto: Server, tmp_path: Path) -> None:
    env = _s3_env(moto, tmp_path)
    upstream = last_json(run_upstream(OBJECT_STORAGE, "objects-up", "first", cwd=tmp_path, env=env))
    here = last_json(run_here(OBJECT_STORAGE, "objects-here", "first", cwd=tmp_path, env=env))
    assert here == upstream
    # each side reads what the other wrote in one bucket
    both = last_json(run_upstream(OBJECT_STORAGE, "objects-here", "upstream", cwd=tmp_path, env=env))
    assert both["read"] == {"first.txt": "written by first", "upstream.txt": "written by upstream"}
    both = last_json(run_here(OBJECT_STORAGE, "objects-up", "kart", cwd=tmp_path, env=env))
    assert both["read"] == {"first.txt": "written by first", "kart.txt": "written by kart"}


ZIP_CLIENTS = """
import json, os, shutil, sys
import boto3
import gokart
from gokart.zip_client_util import make_zip_client

bucket, mode, work = sys.argv[1], sys.argv[2], sys.argv[3]
out = {}
if mode == "make":
    boto3.client("s3").create_bucket(Bucket=bucket)
    for kind, path in (("s3", f"s3://{bucket}/model/archive.zip"), ("local", os.path.join(work, "local", "archive.zip"))):
        scratch = os.path.join(work, "scratch")
        os.makedirs(os.path.join(scratch, "sub"), exist_ok=True)
        with open(os.path.join(scratch, "model.txt"), "w") as f:
            f.write("weights")
        with open(os.path.join(scratch, "sub", "extra.txt"), "w") as f:
            f.write("extra")
        client = make_zip_client(path, scratch)
        out[kind + "-class"] = type(client).__name__
        out[kind + "-before"] = client.exists()
        client.make_archive()
        out[kind + "-after"] = client.exists()
        out[kind + "-path"] = client.path == path
        shutil.rmtree(scratch)
else:
    for kind, path in (("s3", f"s3://{bucket}/model/archive.zip"), ("local", os.path.join(work, "local", "archive.zip"))):
        scratch = os.path.join(work, "unpacked-" + kind)
        client = make_zip_client(path, scratch)
        client.unpack_archive()
        files = {}
        for root, _, names in os.walk(scratch):
            for name in names:
                with open(os.path.join(root, name)) as f:
                    files[os.path.relpath(os.path.join(root, name), scratch)] = f.read()
        out[kind + "-files"] = files
        shutil.rmtree(scratch)
    remote = make_zip_client(f"s3://{bucket}/model/archive.zip", os.path.join(work, "x"))
    remote.remove()
    out["s3-removed"] = not remote.exists()
    remote.remove()  # a second remove is quiet
print(json.dumps(out, sort_keys=True))
"""


@pytest.mark.parametrize(("maker", "reader"), [("upstream", "kart"), ("kart", "upstream")])
def test_zip_archives_cross_between_upstream_and_kart(
    moto: Server, tmp_path: Path, maker: str, reader: str
) -> None:
    env = _s3_env(moto, tmp_path)
    sides = {"upstream": run_upstream, "kart": run_here}
    bucket = f"zips-{maker}"
    made = last_json(sides[maker](ZIP_CLIENTS, bucket, "make", str(tmp_path), cwd=tmp_path, env=env))
    assert made["s3-class"] == "S3ZipClient"
    assert made["s3-before"] is False
    assert made["s3-after"] is True
    assert made["local-class"] == "LocalZipClient"
    assert made["s3-path"] is True
    read = last_json(sides[reader](ZIP_CLIENTS, bucket, "read", str(tmp_path), cwd=tmp_path, env=env))
    expected = {"model.txt": "weights", os.path.join("sub", "extra.txt"): "extra"}
    assert read["s3-files"] == expected
    assert read["local-files"] == expected
    assert read["s3-removed"] is True


def test_local_zip_client_behaves_as_upstreams(tmp_path: Path) -> None:
    script = """
import json, os, sys, zipfile
from gokart.zip_client import LocalZipClient, _unzip_file
work = sys.argv[1]
scratch = os.path.join(work, "scratch")
os.makedirs(scratch)
open(os.path.join(scratch, "a.txt"), "w").write("A")
out = {}
client = LocalZipClient(os.path.join(work, "out", "model.zip"), scratch)
out["exists_before"] = client.exists()
client.make_archive()
out["exists_after"] = client.exists()
out["names"] = sorted(zipfile.ZipFile(client.path).namelist())
_unzip_file(client.path, os.path.join(work, "unzipped"))
out["unzipped"] = sorted(os.listdir(os.path.join(work, "unzipped")))
for bad in ("model", "model.tar.gz"):
    try:
        LocalZipClient(os.path.join(work, "bad", bad), scratch).make_archive()
    except ValueError as error:
        out[bad] = str(error)
try:
    LocalZipClient(os.path.join(work, "missing.zip"), scratch).unpack_archive()
except FileNotFoundError as error:
    out["missing"] = type(error).__name__
print(json.dumps(out, sort_keys=True))
"""
    (tmp_path / "up").mkdir()
    (tmp_path / "here").mkdir()
    upstream = last_json(run_upstream(script, str(tmp_path / "up")))
    here = last_json(run_here(script, str(tmp_path / "here")))
    assert here == upstream


def test_local_zip_client_remove_deletes_the_archive(tmp_path: Path) -> None:
    """A deliberate difference: gokart 1.12.2's LocalZipClient.remove() left the archive in place."""
    from gokart.zip_client import LocalZipClient

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (scratch / "a.txt").write_text("A")
    client = LocalZipClient(str(tmp_path / "model.zip"), str(scratch))
    client.make_archive()
    client.remove()
    assert not client.exists()
    client.remove()


METADATA_STATICS = """
import json, logging
from gokart.gcs_obj_metadata_client import GCSObjectMetadataClient as G
from gokart.required_task_output import RequiredTaskOutput as R

records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append([record.name, record.levelname, record.getMessage()])
logging.getLogger("gokart.gcs_obj_metadata_client").addHandler(Keep())

def call(f):
    try:
        return ["ok", f()]
    except Exception as error:
        return [type(error).__name__, str(error)]

out = {
    "max": G.MAX_GCS_METADATA_SIZE,
    "log": [G._is_log_related_path(p) for p in ["gs://b/log/task_log/x.pkl", "gs://b/x/log/task_info/y.pkl",
                                                "gs://b/a.pkl", "gs://b/log/other/x.pkl"]],
    "bucket_key": [call(lambda: G._path_to_bucket_and_key("gs://b/a/c.pkl")), call(lambda: G._path_to_bucket_and_key("gs://b")),
                   call(lambda: G._path_to_bucket_and_key("s3://b/k"))],
    "normalize": [G._normalize_labels({"a": 1, 2: "b", "c": None, "d": [1]}), G._normalize_labels(None)],
    "serialize": [call(lambda: G._get_serialized_string([R("t", "p"), {"x": R("a", "b")}, (R("c", "d"),)])),
                  call(lambda: G._get_serialized_string(R("t", "p"))), call(lambda: G._get_serialized_string(["x"])),
                  call(lambda: G._get_serialized_string({"x"}))],
    "merge": [G._merge_custom_labels_and_task_params_labels([{"a": "1", "b": ""}, {"a": "2", "c": "3"}]),
              G._merge_custom_labels_and_task_params_labels([{"a": ""}, {"a": "2"}])],
    "limit": [list(G._adjust_gcs_metadata_limit_size(labels)) for labels in [
        {"a": "x" * 5000, "b": "y" * 5000, "c": "z"}, {"a": "x" * 100, "b": "y" * 8100, "c": "z"},
        {"a": "x" * 8191}, {"a": "x" * 8192}, {"a": "x" * 8000, "bb": "\\u00e9" * 100}, {"aaa": "x" * 8189, "b": ""}]],
    "patched": [call(lambda: G._get_patched_obj_metadata(None, {"p": "1"})),
                call(lambda: G._get_patched_obj_metadata({"old": "v", "p": "x"}, {"p": "1"}, {"c": "2"}, None)),
                call(lambda: G._get_patched_obj_metadata({}, None, None, None)),
                call(lambda: G._get_patched_obj_metadata({"a": "1"}, {}, {}, [])),
                call(lambda: G._get_patched_obj_metadata(["x"], {"p": "1"})),
                call(lambda: G._get_patched_obj_metadata({"old": "v"}, {"p": 1}, {"p": "2"}, {"k": R("t", "p")}))],
    "labels_on_a_log_path": call(lambda: G.add_task_state_labels("gs://b/log/task_log/x.pkl", {"a": "b"})),
}
out["records"] = records
print(json.dumps(out, sort_keys=True))
"""


def test_gcs_metadata_client_statics_match_upstreams() -> None:
    upstream = last_json(run_upstream(METADATA_STATICS))
    here = last_json(run_here(METADATA_STATICS))
    assert here == upstream


def test_makepatch_is_a_json_merge_patch() -> None:
    """Upstream's needs googleapiclient, which its venv lacks: checked against the merge-patch rules."""
    from gokart.gcs_obj_metadata_client import GCSObjectMetadataClient as G

    original = {"a": 1, "b": 2, "c": {"x": 1, "y": 1}, "gone": "v"}
    modified = {"a": 1, "b": 3, "c": {"x": 2, "y": 1}, "new": 4}
    assert G._makepatch(original, modified) == {"b": 3, "c": {"x": 2}, "gone": None, "new": 4}
    assert G._makepatch(original, original) == {}


@pytest.fixture(scope="module")
def gcs_emulator_env() -> Iterator[dict[str, str]]:
    with running(gcs_emulator()) as server:
        yield {"STORAGE_EMULATOR_HOST": f"http://{server.address}", "GOOGLE_CLOUD_PROJECT": "kart-test"}


def test_add_task_state_labels_patches_gcs_metadata(gcs_emulator_env: dict[str, str], tmp_path: Path) -> None:
    script = """
import importlib
import json
import gokart
from gokart.gcs_config import GCSConfig
from gokart.gcs_obj_metadata_client import GCSObjectMetadataClient
from gokart.required_task_output import RequiredTaskOutput
from gokart.object_storage import ObjectStorage
from gokart.zip_client_util import make_zip_client

client = GCSConfig().get_gcs_client()
out = {"cached": client is GCSConfig().get_gcs_client(), "credentials": GCSConfig()._load_oauth_credentials()}
client.create_bucket("labels")
client.bucket("labels").blob("data/x.pkl").upload_from_string(b"x")
client.bucket("labels").blob("data/x.pkl").metadata = None
GCSObjectMetadataClient.add_task_state_labels(
    "gs://labels/data/x.pkl", task_params={"param": "1"}, custom_labels={"team": "ml"},
    required_task_outputs=[RequiredTaskOutput("Up", "gs://labels/up.pkl")])
out["metadata"] = client.bucket("labels").get_blob("data/x.pkl").metadata
out["exists"] = [ObjectStorage.exists("gs://labels/data/x.pkl"), ObjectStorage.exists("gs://labels/none")]
zip_client = make_zip_client("gs://labels/model.zip", "/nonexistent-never-used")
out["zip"] = type(zip_client).__name__
print(json.dumps(out, sort_keys=True))
"""
    out = last_json(run_here(script, cwd=tmp_path, env=gcs_emulator_env))
    assert out["cached"] is True
    assert out["credentials"] is None
    assert out["metadata"] == {
        "team": "ml",
        "param": "1",
        "__required_task_outputs": json.dumps(
            [{"__gokart_task_name": "Up", "__gokart_output_path": "gs://labels/up.pkl"}]
        ),
    }
    assert out["exists"] == [True, False]
    assert out["zip"] == "GCSZipClient"


SMALL_HELPERS = """
import io, json, logging, pickle
import dill
import pandas as pd
from gokart.task_complete_check import task_complete_check_wrapper
from gokart.file_processor.base import _ChunkedLargeFileReader
from gokart.utils import load_dill_with_pandas_backward_compatibility as load

records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append([record.name, record.levelname, record.getMessage()])
logging.getLogger("gokart").addHandler(Keep())
logging.getLogger("gokart").setLevel(logging.DEBUG)

def call(f):
    try:
        return ["ok", f()]
    except BaseException as error:
        return [type(error).__name__, str(error)]

calls = []
def run(*args, **kwargs):
    calls.append([list(args), kwargs])
    return "ran"
def other():
    return "other ran"

out = {}
wrapped = task_complete_check_wrapper(run, lambda: True)
out["wrapped"] = [wrapped.__name__, wrapped.__wrapped__ is run]
out["complete"] = call(lambda: wrapped(1, x=2))
out["incomplete"] = call(lambda: task_complete_check_wrapper(run, lambda: False)(3, y=4))
out["other"] = call(lambda: task_complete_check_wrapper(other, lambda: 1)())
out["calls"] = calls

reader = _ChunkedLargeFileReader(io.BytesIO(b"line one\\nline two\\n"))
out["reader"] = [reader.read(4).decode(), reader.readline().decode(), reader.seek(0), reader.seekable(),
                 reader.read(-1).decode(), call(lambda: pickle.load(_ChunkedLargeFileReader(io.BytesIO(pickle.dumps([1, 2])))))]

class Unseekable(io.RawIOBase):
    def __init__(self, data):
        self.data = io.BytesIO(data)
    def readable(self):
        return True
    def seekable(self):
        return False
    def readinto(self, buffer):
        chunk = self.data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

out["load"] = [call(lambda: load(io.BytesIO(pickle.dumps({"x": 1})))),
               call(lambda: load(io.BytesIO(dill.dumps(lambda v: v + 1)))(1)),
               call(lambda: load(io.BytesIO(pickle.dumps(pd.DataFrame({"a": [1]})))).to_dict()),
               call(lambda: load(io.BytesIO(b"garbage"))),
               call(lambda: load(io.BufferedReader(Unseekable(b"garbage")))),
               call(lambda: load(io.BytesIO(b"")))]
out["records"] = [r for r in records if r[0].startswith("gokart")]
print(json.dumps(out, sort_keys=True))
"""


def test_complete_check_wrapper_chunked_reader_and_dill_loader_match_upstream() -> None:
    upstream = last_json(run_upstream(SMALL_HELPERS))
    here = last_json(run_here(SMALL_HELPERS))
    assert here == upstream


DILL_TASKS = """
import json, sys
import gokart

class LambdaAndLocalObject(gokart.TaskOnKart):
    def run(self):
        class Scaler:
            def __init__(self):
                self.factor = 3

            def apply(self, value):
                return value * self.factor

        self.dump({"double": lambda value: value * 2, "scaler": Scaler()})

if sys.argv[1] == "write":
    gokart.build(LambdaAndLocalObject(), reset_register=False)
task = LambdaAndLocalObject()
loaded = task.output().load()
print(json.dumps({"path": task.output().path(), "double": loaded["double"](21), "scaled": loaded["scaler"].apply(5)}))
"""


@pytest.mark.parametrize(("writer", "reader"), [("upstream", "kart"), ("kart", "upstream")])
def test_lambdas_and_local_objects_dump_with_dill_and_cross(tmp_path: Path, writer: str, reader: str) -> None:
    sides = {"upstream": run_upstream, "kart": run_here}
    written = last_json(sides[writer](DILL_TASKS, "write", cwd=tmp_path))
    read = last_json(sides[reader](DILL_TASKS, "read", cwd=tmp_path))
    assert written == read
    assert read["double"] == 42
    assert read["scaled"] == 15
    assert read["path"].startswith("./resources/__main__/LambdaAndLocalObject_")


def test_dill_is_a_declared_dependency_of_the_meta_package() -> None:
    import importlib.metadata

    requirements: Any = importlib.metadata.requires("gokart") or []
    assert any(req.split(">")[0].split("=")[0].strip() == "dill" for req in requirements)


@pytest.mark.parametrize(
    ("module", "names"),
    [
        (
            "gokart.worker",
            [
                "Worker",
                "gokart_worker",
                "TaskProcess",
                "ContextManagedTaskProcess",
                "GetWorkResponse",
                "_is_external",
                "_get_retry_policy_dict",
                "fork_lock",
                "_fork_context",
                "_ForkProcess",
                "_WAIT_INTERVAL_EPS",
                "logger",
            ],
        ),
        (
            "gokart.testing.check_if_run_with_empty_data_frame",
            [
                "test_run",
                "try_to_run_test_for_empty_data_frame",
                "_TestStatus",
                "_get_all_tasks",
                "_run_with_test_status",
                "_test_run_with_empty_data_frame",
                "test_logger",
            ],
        ),
        ("gokart.utils", ["load_dill_with_pandas_backward_compatibility", "_resolve_type_var", "FileLike"]),
        ("gokart.object_storage", ["ObjectStorage", "object_storage_path_prefix"]),
    ],
)
def test_spec_listed_module_names_exist(module: str, names: list[str]) -> None:
    """api_surface.md §2 names that the signature comparison above does not reach."""
    imported = importlib.import_module(module)
    assert [name for name in names if not hasattr(imported, name)] == []
