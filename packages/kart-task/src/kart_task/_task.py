"""`TaskOnKart`: a luigi task whose outputs are cached under ids computed exactly as gokart 1.12.2.

Ids come from kart-hash; targets from kart-storage; locks from kart-lock. Two departures from
upstream, both invisible to ids and files: `to_str_params` is memoised per instance (upstream's
per-instance lru_cache made tasks unpicklable), and the run wrappers are rebuilt after unpickling,
so tasks travel to `spawn`-started workers.

The class holds the parameters and gokart's method names; the work is done by one module per job:
`_task_ids` (parameters, unique id, repr), `_task_targets` (outputs), `_task_io` (load and dump),
`_task_run` (run wrappers), `_completeness` (complete()), `_logs` (supplementary log files).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Sequence
from typing import Any, ClassVar, Generic, TypeVar, overload

import luigi

import kart_hash
import kart_storage

# _luigi_targets is imported for what it installs: the patched-LocalTarget seam, luigi.Target, lock wrappers
from . import _logs, _luigi_targets, _task_class, _task_ids, _task_io, _task_run, _task_targets  # noqa: F401
from ._build_memo import per_task, requirements, resolved_once
from ._completeness import completeness_rule, newer_inputs
from ._expiry import outputs_fresh
from ._flatten import flatten
from ._luigi.param_values import param_values
from ._parameters import ExplicitBoolParameter, OptionalTimeDeltaParameter, _is_task_on_kart_value
from ._prefetch_answers import answer as _prefetched_answer

T = TypeVar("T")
K = TypeVar("K")

__all__ = ["TaskOnKart"]


class TaskOnKart(luigi.Task, Generic[T]):
    """A luigi task with gokart's cached outputs, unique ids, locks and load/dump helpers."""

    # Annotated with their descriptor types: luigi's dataclass_transform then gives every subclass a
    # typed keyword-only __init__ holding these too, as gokart's TaskOnKart does under mypy.
    workspace_directory: luigi.Parameter[str] = luigi.Parameter(
        default="./resources/", description="Root of every output of make_target*.", significant=False
    )
    local_temporary_directory: luigi.Parameter[str] = luigi.Parameter(
        default="./resources/tmp/", description="Scratch directory for model targets.", significant=False
    )
    rerun: luigi.BoolParameter = luigi.BoolParameter(
        default=False, description="Delete outputs once and run again.", significant=False
    )
    strict_check: luigi.BoolParameter = luigi.BoolParameter(default=False, significant=False)
    modification_time_check: luigi.BoolParameter = luigi.BoolParameter(default=False, significant=False)
    serialized_task_definition_check: luigi.BoolParameter = luigi.BoolParameter(
        default=False, significant=False
    )
    delete_unnecessary_output_files: luigi.BoolParameter = luigi.BoolParameter(
        default=False, significant=False
    )
    significant: luigi.BoolParameter = luigi.BoolParameter(default=True, significant=False)
    fix_random_seed_methods: luigi.ListParameter[tuple[str, ...]] = luigi.ListParameter(
        default=("random.seed", "numpy.random.seed"), significant=False
    )
    FIX_RANDOM_SEED_VALUE_NONE_MAGIC_NUMBER: ClassVar[int] = -42497368
    fix_random_seed_value: luigi.IntParameter = luigi.IntParameter(
        default=FIX_RANDOM_SEED_VALUE_NONE_MAGIC_NUMBER, significant=False
    )
    redis_host: luigi.OptionalParameter = luigi.OptionalParameter(default=None, significant=False)
    redis_port: luigi.OptionalIntParameter = luigi.OptionalIntParameter(default=None, significant=False)
    redis_timeout: luigi.IntParameter = luigi.IntParameter(default=180, significant=False)
    fail_on_empty_dump: ExplicitBoolParameter = ExplicitBoolParameter(default=False, significant=False)
    store_index_in_feather: ExplicitBoolParameter = ExplicitBoolParameter(default=True, significant=False)
    cache_unique_id: ExplicitBoolParameter = ExplicitBoolParameter(default=True, significant=False)
    should_dump_supplementary_log_files: ExplicitBoolParameter = ExplicitBoolParameter(
        default=True, significant=False
    )
    complete_check_at_run: ExplicitBoolParameter = ExplicitBoolParameter(default=True, significant=False)
    should_lock_run: ExplicitBoolParameter = ExplicitBoolParameter(default=False, significant=False)
    verify_integrity: luigi.OptionalParameter = luigi.OptionalParameter(
        default=None,
        significant=False,
        description="true, strict or false: record a sha256 at dump, check it at load (default: the"
        " KART_VERIFY_INTEGRITY variable).",
    )
    create_only: ExplicitBoolParameter = ExplicitBoolParameter(
        default=False,
        significant=False,
        description="Never replace an existing output; a dump that loses a race is skipped.",
    )
    cache_expiration: OptionalTimeDeltaParameter = OptionalTimeDeltaParameter(
        default=None,
        significant=False,
        positional=False,
        description="An output written longer ago than this counts as missing, so the task runs again"
        " (e.g. `7 d`, `12 hours`, `P1W`; default: never).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._add_configuration(kwargs, "TaskOnKart")
        self.task_log: dict[str, Any] = {}
        self.task_unique_id: str | None = None
        try:
            super().__init__(*args, **kwargs)
        except TypeError as exc:
            # the message stays gokart's; kart's lines (PEP 678 notes) name the task
            name = type(self).__name__
            exc.__notes__ = [f"{name}: {note}" for note in getattr(exc, "__notes__", ())] or [
                f"{name}: raised while constructing the task"
            ]
            raise
        self._rerun_state: bool = bool(self.rerun)
        self._lock_at_dump = True
        self._kart_run_skipped = False
        self._kart_started_at = 0.0
        self._install_run_wrappers()

    # --- construction helpers -------------------------------------------------------------

    @classmethod
    def _add_configuration(cls, kwargs: dict[str, Any], section: str) -> None:
        """Fill kwargs from a config section (gokart's `[TaskOnKart]` defaults for every task)."""
        config = luigi.configuration.get_config()
        if section not in config:
            return
        candidates = {**TaskOnKart.__dict__, **cls.__dict__}
        for key, text in dict(config[section]).items():
            if key in kwargs or key not in candidates:
                continue
            parameter = candidates[key]
            if isinstance(parameter, luigi.Parameter):
                kwargs[key] = parameter.parse(text)

    def _install_run_wrappers(self) -> None:
        _task_run.install_run_wrappers(self)

    def __getstate__(self) -> dict[str, Any]:
        return _task_run.picklable_state(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._install_run_wrappers()

    # --- identity ------------------------------------------------------------------------------

    @classmethod
    def get_params(cls) -> list[tuple[str, luigi.Parameter]]:
        """luigi's parameter list, computed once per class (luigi runs dir() on every call, several
        times per instance); a parameter added, replaced or removed later is noticed."""
        return _task_ids.class_params(cls)

    @classmethod
    def get_param_values(cls, params: Any, args: Any, kwargs: Any) -> Any:
        """luigi's parameter resolution without its eager repr() of every argument (a task holding
        thousands of tasks spent most of its construction there) and without config lookups where no
        config can apply."""
        return resolved_once(cls, params, args, kwargs, lambda: param_values(cls, params, args, kwargs))

    def to_str_params(self, only_significant: bool = False, only_public: bool = False) -> dict[str, str]:
        """luigi's serialised parameters, each serialised once per instance (see `_task_ids`)."""
        return _task_ids.str_params(self, only_significant, only_public)

    def make_unique_id(self) -> str:
        """The task's id: gokart's hash of class name, significant parameters and dependencies."""
        if self.task_unique_id:
            return self.task_unique_id
        uid = self._make_hash_id()
        if self.cache_unique_id:
            self.task_unique_id = uid
        return uid

    def _make_hash_id(self) -> str:
        return _task_ids.hash_id(self)

    def get_own_code(self) -> str:
        """This task's source text, hashed into the id with `serialized_task_definition_check`."""
        return kart_hash.own_code(self, TaskOnKart)

    @staticmethod
    def get_code(target_class: Any) -> set[str]:
        """The source lines of `target_class`'s own methods (gokart's helper)."""
        return _task_ids.code_of(target_class)

    def __repr__(self) -> str:
        return _task_ids.describe(self, public_only=False)

    def __str__(self) -> str:
        return _task_ids.describe(self, public_only=True)

    def get_info(self, only_significant: bool = False) -> dict[str, str]:
        """The task's parameters as text, for logs and task information."""
        return _task_ids.info(self, only_significant)

    def clone(self, cls: type[TaskOnKart[Any]] | None = None, **kwargs: Any) -> TaskOnKart[Any]:
        """A task of `cls` (default: this class) with these parameters, the rest taken from this task."""
        target_cls = cls or type(self)
        new_kwargs: dict[str, Any] = {}
        for name, _ in target_cls.get_params():
            if name in kwargs:
                new_kwargs[name] = kwargs[name]
            elif name not in {"rerun", "strict_check", "modification_time_check"} and hasattr(self, name):
                new_kwargs[name] = getattr(self, name)
        return target_cls(**new_kwargs)

    # --- dependencies and outputs -----------------------------------------------------------

    @staticmethod
    def is_task_on_kart(value: Any) -> bool:
        """Whether `value` is a TaskOnKart or a non-empty list or tuple of them."""
        return _is_task_on_kart_value(value)

    def make_task_instance_dictionary(self) -> dict[str, Any]:
        """The task-valued attributes: the default `requires()`."""
        return {name: value for name, value in vars(self).items() if self.is_task_on_kart(value)}

    def requires(self) -> Any:
        """The dependencies: by default every task-valued parameter, by name."""
        dependencies = self.make_task_instance_dictionary()
        return dependencies if dependencies else []

    def deps(self) -> list[luigi.Task]:
        """luigi's `deps()`, from the requirements remembered for this build (see `_build_memo`)."""
        return flatten(requirements(self))

    def input(self) -> Any:
        """luigi's `input()`, from the requirements remembered for this build (see `_build_memo`)."""
        return luigi.task.getpaths(requirements(self))

    def output(self) -> Any:
        """Where the result goes: by default a pickle named after the class and unique id (within a
        build one target object serves every caller: the prefetch, dependents' `input()`, GCS labels)."""
        return per_task(self, "output", self.make_target)

    def make_target(
        self,
        relative_file_path: str | None = None,
        use_unique_id: bool = True,
        processor: kart_storage.FileProcessor | None = None,
    ) -> kart_storage.TargetOnKart:
        """A target under the workspace; the extension picks the format, the unique id goes in."""
        return _task_targets.make_target(self, relative_file_path, use_unique_id, processor)

    def make_model_target(
        self,
        relative_file_path: str,
        save_function: Callable[[Any, str], Any],
        load_function: Callable[[str], Any],
        use_unique_id: bool = True,
    ) -> kart_storage.TargetOnKart:
        """A zip holding what `save_function` writes, read back with `load_function`."""
        return _task_targets.make_model_target(
            self, relative_file_path, save_function, load_function, use_unique_id
        )

    def make_large_data_frame_target(
        self, relative_file_path: str | None = None, use_unique_id: bool = True, max_byte: int = 2**26
    ) -> kart_storage.TargetOnKart:
        """A zip of a DataFrame split into pieces of at most `max_byte` bytes."""
        rel = relative_file_path or _task_targets.default_relative_path(self, ".zip")
        processor = kart_storage.LargeDataFrameProcessor(max_byte=max_byte)
        return self.make_model_target(rel, processor.save, processor.load, use_unique_id=use_unique_id)

    # --- load and dump ---------------------------------------------------------------------------

    def _get_input_targets(self, target: Any) -> Any:
        return _task_io.input_targets(self, target)

    # Typed as gokart 1.12.2's overloads; a sequence (not only a list) of tasks, and load_generator of one
    # task, are accepted too.
    @overload
    def load(self, target: str | kart_storage.TargetOnKart | None = None) -> Any: ...
    @overload
    def load(self, target: TaskOnKart[K]) -> K: ...
    @overload
    def load(self, target: Sequence[TaskOnKart[K]]) -> list[K]: ...
    def load(self, target: Any = None) -> Any:
        """The output of the inputs (all, one by name, a task, or a target), shaped as given."""
        return _task_io.load_all(self._get_input_targets(target))

    @overload
    def load_generator(
        self, target: str | kart_storage.TargetOnKart | None = None
    ) -> Generator[Any, None, None]: ...
    @overload
    def load_generator(self, target: TaskOnKart[K]) -> Generator[K, None, None]: ...
    @overload
    def load_generator(self, target: Sequence[TaskOnKart[K]]) -> Generator[K, None, None]: ...
    def load_generator(self, target: Any = None) -> Generator[Any, None, None]:
        """The inputs' outputs one at a time, for inputs too big to hold together."""
        return _task_io.load_each(self._get_input_targets(target))

    def _get_output_target(self, target: Any) -> kart_storage.TargetOnKart:
        return _task_io.output_target(self, target)

    # gokart 1.12.2's overloads: the task's own output holds a T; a named target may hold anything.
    @overload
    def dump(self, obj: T, target: None = None, custom_labels: dict[Any, Any] | None = None) -> None: ...
    @overload
    def dump(
        self, obj: Any, target: str | kart_storage.TargetOnKart, custom_labels: dict[Any, Any] | None = None
    ) -> None: ...
    def dump(self, obj: Any, target: Any = None, custom_labels: dict[str, Any] | None = None) -> None:
        """Store `obj` as this task's output (or the output named `target`)."""
        _task_io.dump(self, obj, target, custom_labels)

    # --- supplementary logs, seeds, restore -------------------------------------------------

    @staticmethod
    def try_set_seed(methods: list[str], random_seed: int) -> list[str]:
        """Seed each of `methods` (e.g. `random.seed`) with `random_seed`; the ones that worked."""
        return _logs.try_set_seed(methods, random_seed)

    def _get_random_seed(self) -> int:
        return _logs.random_seed(self)

    def _get_task_log_target(self) -> kart_storage.TargetOnKart:
        return _logs.log_target(self, _logs.TASK_LOG)  # type: ignore[no-any-return]

    def _get_task_params_target(self) -> kart_storage.TargetOnKart:
        return _logs.log_target(self, _logs.TASK_PARAMS)  # type: ignore[no-any-return]

    def _get_random_seeds_target(self) -> kart_storage.TargetOnKart:
        return _logs.log_target(self, _logs.RANDOM_SEED)  # type: ignore[no-any-return]

    def _get_processing_time_target(self) -> kart_storage.TargetOnKart:
        return _logs.log_target(self, _logs.PROCESSING_TIME)  # type: ignore[no-any-return]

    def _get_module_versions_target(self) -> kart_storage.TargetOnKart:
        return _logs.log_target(self, _logs.MODULE_VERSIONS, ".txt")  # type: ignore[no-any-return]

    def get_task_log(self) -> dict[str, Any]:
        """The task log: `self.task_log` of this run, else the one saved by the last run."""
        if self.task_log:
            return self.task_log
        target = self._get_task_log_target()
        return dict(target.load()) if target.exists() else {}

    def get_task_params(self) -> dict[str, Any]:
        """The parameters recorded at the last run (gokart 1.12.2 read the task-log file here by mistake)."""
        target = self._get_task_params_target()
        return dict(target.load()) if target.exists() else {}

    def get_processing_time(self) -> float | str:
        """Seconds the last `run()` took, or "unknown" when it never ran here."""
        target = self._get_processing_time_target()
        return float(target.load()) if target.exists() else "unknown"

    @classmethod
    def restore(cls, unique_id: str) -> TaskOnKart[Any]:
        """Rebuild the task that ran with `unique_id` from its recorded parameters."""
        workspace = TaskOnKart().workspace_directory
        path = os.path.join(workspace, _logs.TASK_PARAMS, f"{cls.__name__}_{unique_id}.pkl")
        params = kart_storage.make_target(path).load()
        task: TaskOnKart[Any] = cls.from_str_params(params)
        return task

    # --- completeness ------------------------------------------------------------------------------

    def complete(self) -> bool:
        """Whether the outputs exist (with rerun, strict and modification-time checks applied)."""
        prefetched = _prefetched_answer(self)  # while kart's worker schedules (see _prefetch)
        if prefetched is not None:
            return prefetched
        if self._rerun_state:
            for target in flatten(self.output()):
                target.remove()
            self._rerun_state = False
            return False
        return completeness_rule(
            self,
            outputs_exist=lambda: _all_exist(flatten(self.output())),
            inputs_ready=self._inputs_ready,
            has_inputs=lambda: bool(self.input()),
            inputs_not_newer=self._check_modification_time,
            outputs_fresh=lambda: outputs_fresh(self, flatten(self.output())),
        )

    def _inputs_ready(self) -> bool:
        # every requirement is asked (no short-cut), as before
        requirements_complete = [task.complete() for task in flatten(requirements(self))]
        return all(requirements_complete) and _all_exist(flatten(self.input()))

    def _check_modification_time(self) -> bool:
        return not newer_inputs(flatten(self.input()), flatten(self.output()))


def _all_exist(targets: list[Any]) -> bool:
    """Existence of many targets: kart's own in one batched check per file system, anything else with an
    exists() (luigi targets, custom TargetOnKart subclasses, mocks) asked one by one."""
    return all(kart_storage.exists_many(targets))


_task_class.register_task_class(TaskOnKart)
_logs.register(TaskOnKart)
