"""Drop-in replacement for gokart 1.12: gokart's public API at its documented module paths, built on the
kart libraries (kart-hash, kart-storage, kart-lock, kart-notify, kart-task)."""

# gokart binds these submodules as attributes on import (gokart.s3_config, gokart.errors, gokart.in_memory,
# the zip clients of S3 and GCS and gokart.mypy load on first use, as in gokart)
from importlib import import_module as _import_module

from gokart import (
    _cloud,
    _names,
    conflict_prevention_lock,
    file_processor,
    gcs_config,
    gcs_obj_metadata_client,
    info,
    object_storage,
    pandas_type_config,
    parameter,
    required_task_output,
    slack,
    target,
    task,
    task_complete_check,
    testing,
    tree,
    utils,
    worker,
    workspace_management,
    zip_client,
    zip_client_util,
)
from gokart.build import WorkerSchedulerFactory, build
from gokart.info import make_tree_info, tree_info
from gokart.pandas_type_config import PandasTypeConfig
from gokart.parameter import (
    ExplicitBoolParameter,
    ListTaskInstanceParameter,
    SerializableParameter,
    TaskInstanceParameter,
    ZonedDateSecondParameter,
)
from gokart.run import run
from gokart.task import TaskOnKart
from gokart.testing import test_run
from gokart.tree.task_info import make_task_info_as_tree_str
from gokart.utils import add_config
from gokart.workspace_management import delete_local_unnecessary_outputs

# loaded (not bound here), as gokart loads them
for _child in (
    "gokart.conflict_prevention_lock.task_lock",
    "gokart.conflict_prevention_lock.task_lock_wrappers",
    "gokart.tree.task_info_formatter",
):
    _import_module(_child)

_cloud.register()
_names.apply()

__version__ = "1.12.2.post1"

# upstream's order, kept on purpose
__all__ = [
    "build",
    "WorkerSchedulerFactory",
    "make_tree_info",
    "tree_info",
    "PandasTypeConfig",
    "ExplicitBoolParameter",
    "ListTaskInstanceParameter",
    "SerializableParameter",
    "TaskInstanceParameter",
    "ZonedDateSecondParameter",
    "run",
    "TaskOnKart",
    "test_run",
    "make_task_info_as_tree_str",
    "add_config",
    "delete_local_unnecessary_outputs",
]
