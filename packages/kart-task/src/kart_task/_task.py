"""`TaskOnKart`: a luigi task whose outputs are cached under ids computed exactly as gokart 1.12.2.

Ids come from kart-hash; targets from kart-storage; locks from kart-lock. Two departures from
upstream, both invisible to ids and files: `to_str_params` is memoised in a plain dict (upstream's
per-instance lru_cache made tasks unpicklable), and the run wrappers are rebuilt after unpickling,
so tasks travel to `spawn`-started workers.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
from collections.abc import Callable, Generator, Iterable, Sequence
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar, overload

import luigi
import pandas as pd

import kart_hash
import kart_lock
import kart_storage

# _luigi_targets is imported for what it installs: the patched-LocalTarget seam, luigi.Target, lock wrappers
from . import _logs, _luigi_targets  # noqa: F401
from ._errors import EmptyDumpError
from ._flatten import flatten, map_flattenable_items
from ._luigi.param_values import param_values
from ._pandas_type import check_pandas_types
from ._parameters import (
    ExplicitBoolParameter,
    ListTaskInstanceParameter,
    TaskInstanceParameter,
    _is_task_on_kart_value,
)
from ._typing import dataframe_type_of

T = TypeVar("T")
K = TypeVar("K")

logger = logging.getLogger("kart_task")
complete_check_logger = logging.getLogger("gokart.task_complete_check")

_STR_PARAMS_CACHE = "_kart_str_params_cache"
_STR_RESULTS_CACHE = "_kart_str_params_results"
_PARAMS_CACHE = "_kart_params_cache"
_PUBLIC = luigi.parameter.ParameterVisibility.PUBLIC
_PRIVATE = luigi.parameter.ParameterVisibility.PRIVATE
_VERIFY_WORDS: dict[str, bool | str] = {
    "true": True,
    "1": True,
    "yes": True,
    "strict": "strict",
    "false": False,
    "0": False,
    "no": False,
}


def completeness_rule(
    task: Any,
    *,
    outputs_exist: Callable[[], bool],
    inputs_ready: Callable[[], bool],
    has_inputs: Callable[[], bool],
    inputs_not_newer: Callable[[], bool],
) -> bool:
    """gokart's completeness rule (after `rerun`), given how to answer each question; shared by
    `complete()` and the task-tree walk, which answers from one batched existence check."""
    done = outputs_exist()
    if done and (task.strict_check or task.modification_time_check):
        done = inputs_ready()
    if not task.modification_time_check or not done or not has_inputs():
        return done
    return inputs_not_newer()


def _path_of(target: Any) -> str:
    """kart targets have a path() method; luigi's own targets a `path` attribute."""
    path = target.path
    return str(path() if callable(path) else path)


_WRAPPED_RUN = "run"


def _run_unless_complete(task: TaskOnKart[Any], run: Callable[[], Any]) -> Callable[[], Any]:
    complete = task.complete

    @functools.wraps(run)
    def wrapper() -> Any:
        if complete():
            complete_check_logger.warning("run is skipped because the task is already completed.")
            task._kart_run_skipped = True
            return None
        return run()

    return wrapper


def _all_exist(targets: list[Any]) -> bool:
    """Existence of many targets: kart's own in one batched check per file system, anything else with an
    exists() (luigi targets, custom TargetOnKart subclasses, mocks) asked one by one."""
    return all(kart_storage.exists_many(targets))


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
        self.__dict__.pop(_WRAPPED_RUN, None)
        if self.complete_check_at_run:
            self.run = _run_unless_complete(self, self.run)  # type: ignore[method-assign]
        if self.should_lock_run:
            self._lock_at_dump = False
            assert self.redis_host is not None, "redis_host must be set when should_lock_run is True."
            assert self.redis_port is not None, "redis_port must be set when should_lock_run is True."
            run_lock = kart_lock.make_task_lock_params_for_run(self)  # type: ignore[arg-type]
            self.run = kart_lock.wrap_run_with_lock(self.run, run_lock)  # type: ignore[method-assign]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop(_WRAPPED_RUN, None)  # closures over bound methods: rebuilt on unpickling
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._install_run_wrappers()

    # --- identity ------------------------------------------------------------------------------

    @classmethod
    def get_params(cls) -> list[tuple[str, luigi.Parameter]]:
        """luigi's parameter list, computed once per class (luigi runs dir() on every call, several
        times per instance). Replaced or removed parameters (monkeypatching) invalidate the cache."""
        cached: list[tuple[str, luigi.Parameter]] | None = cls.__dict__.get(_PARAMS_CACHE)
        if cached is None or any(getattr(cls, name, None) is not param for name, param in cached):
            cached = luigi.Task.get_params.__func__(cls)  # type: ignore[attr-defined]
            setattr(cls, _PARAMS_CACHE, cached)
        return list(cached)

    @classmethod
    def get_param_values(cls, params: Any, args: Any, kwargs: Any) -> Any:
        """luigi's parameter resolution without its eager repr() of every argument (a task holding
        thousands of tasks spent most of its construction there) and without config lookups where no
        config can apply."""
        return param_values(cls, params, args, kwargs)

    def to_str_params(self, only_significant: bool = False, only_public: bool = False) -> dict[str, str]:
        """luigi's serialised parameters; each parameter is serialised once per instance, so a parent's
        id reuses its children's text instead of re-serialising whole subtrees (luigi's task id and the
        unique id ask for different subsets of the same texts)."""
        key = (only_significant, only_public)
        results: dict[tuple[bool, bool], dict[str, str]] = self.__dict__.setdefault(_STR_RESULTS_CACHE, {})
        known = results.get(key)
        if known is not None:
            return dict(known)  # a copy: callers (luigi among them) may change what they get
        texts: dict[str, str] = self.__dict__.setdefault(_STR_PARAMS_CACHE, {})
        params = dict(self.get_params())
        result: dict[str, str] = {}
        for name, value in self.param_kwargs.items():
            param = params[name]
            if only_significant and not param.significant:
                continue
            if param.visibility == _PRIVATE or (only_public and param.visibility != _PUBLIC):
                continue
            text = texts.get(name)
            if text is None:
                text = texts[name] = param.serialize(value)
            result[name] = text
        results[key] = result
        return dict(result)

    def make_unique_id(self) -> str:
        if self.task_unique_id:
            return self.task_unique_id
        uid = self._make_hash_id()
        if self.cache_unique_id:
            self.task_unique_id = uid
        return uid

    def _make_hash_id(self) -> str:
        dependencies: list[str | dict[str, str] | None] = []
        for dependency in flatten(self.requires()):
            if isinstance(dependency, TaskOnKart):
                dependencies.append(dependency.make_unique_id() if dependency.significant else None)
            elif isinstance(dependency, luigi.Task):
                dependencies.append(dependency.to_str_params(only_significant=True))
            else:
                raise ValueError(
                    f"Task.requires method returns {type(dependency)}. You should return luigi.Task."
                )
        own_code = self.get_own_code() if self.serialized_task_definition_check else None
        return kart_hash.unique_id(
            dependencies, self.to_str_params(only_significant=True), type(self).__name__, own_code
        )

    def get_own_code(self) -> str:
        return kart_hash.own_code(self, TaskOnKart)

    @staticmethod
    def get_code(target_class: Any) -> set[str]:
        def is_code(member: Any) -> bool:
            return (
                inspect.ismethod(member)
                or inspect.isfunction(member)
                or inspect.isframe(member)
                or inspect.iscode(member)
            )

        return {inspect.getsource(member) for _, member in inspect.getmembers(target_class, is_code)}

    def _describe(self, public_only: bool) -> str:
        try:
            return self._describe_with_ids(public_only)
        except Exception as exc:
            # luigi formats a task whose requires() fails while reporting that failure: stay printable.
            problem = f"unique id unavailable: {type(exc).__name__}: {exc}"
            return f"{self.get_task_family()}[{problem}]({self.task_id})"

    def _describe_with_ids(self, public_only: bool) -> str:
        parts = []
        params: list[tuple[str, luigi.Parameter[Any]]] = self.get_params()  # not only Parameter[str]
        for name, parameter in params:
            if not parameter.significant:
                continue
            if public_only and parameter.visibility != luigi.parameter.ParameterVisibility.PUBLIC:
                continue
            value = getattr(self, name)
            if isinstance(parameter, TaskInstanceParameter):
                text = f"{value.get_task_family()}({value.make_unique_id()})"
            elif isinstance(parameter, ListTaskInstanceParameter):
                text = "[" + ", ".join(f"{t.get_task_family()}({t.make_unique_id()})" for t in value) + "]"
            else:
                text = str(parameter.serialize(value))
            parts.append(f"{name}={text}")
        return f"{self.get_task_family()}[{self.make_unique_id()}]({', '.join(parts)})"

    def __repr__(self) -> str:
        return self._describe(public_only=False)

    def __str__(self) -> str:
        return self._describe(public_only=True)

    def get_info(self, only_significant: bool = False) -> dict[str, str]:
        params = dict(self.get_params())
        info: dict[str, str] = {}
        for name, value in self.param_kwargs.items():
            parameter = params[name]
            if only_significant and not parameter.significant:
                continue
            if isinstance(parameter, TaskInstanceParameter):
                info[name] = f"{type(value).__name__}-{value.make_unique_id()}"
            else:
                info[name] = str(parameter.serialize(value))
        return info

    def clone(self, cls: type[TaskOnKart[Any]] | None = None, **kwargs: Any) -> TaskOnKart[Any]:
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
        return _is_task_on_kart_value(value)

    def make_task_instance_dictionary(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if self.is_task_on_kart(value)}

    def requires(self) -> Any:
        dependencies = self.make_task_instance_dictionary()
        return dependencies if dependencies else []

    def output(self) -> Any:
        return self.make_target()

    def _module_path(self) -> str:
        # A bare TaskOnKart() (restore, task-info dumps) writes where gokart's does, wherever kart defines it.
        module = "gokart.task" if type(self) is TaskOnKart else type(self).__module__
        return module.replace(".", "/")

    def _target_lock_params(self, file_path: str, unique_id: str | None) -> kart_lock.TaskLockParams:
        """What the target's `_get_task_lock_params()` reports, as gokart: keyed on the path before the id."""
        return kart_lock.make_task_lock_params(
            file_path=file_path,
            unique_id=unique_id,
            redis_host=self.redis_host,
            redis_port=self.redis_port,
            redis_timeout=self.redis_timeout,
            raise_task_lock_exception_on_collision=False,
        )

    def _dataframe_type(self) -> str:
        return dataframe_type_of(type(self))

    def make_target(
        self,
        relative_file_path: str | None = None,
        use_unique_id: bool = True,
        processor: kart_storage.FileProcessor | None = None,
    ) -> kart_storage.TargetOnKart:
        rel = relative_file_path or os.path.join(self._module_path(), f"{type(self).__name__}.pkl")
        file_path = self._workspace_path(rel)
        uid = self.make_unique_id() if use_unique_id else None
        if processor is None and relative_file_path is not None:
            processor = kart_storage.make_file_processor(
                file_path,
                dataframe_type=self._dataframe_type(),
                store_index_in_feather=self.store_index_in_feather,
            )
        return kart_storage.make_target(
            file_path,
            unique_id=uid,
            processor=processor,
            lock_params=self._target_lock_params(file_path, uid),
            store_index_in_feather=self.store_index_in_feather,
            **self._storage_options(),
        )

    def make_model_target(
        self,
        relative_file_path: str,
        save_function: Callable[[Any, str], Any],
        load_function: Callable[[str], Any],
        use_unique_id: bool = True,
    ) -> kart_storage.TargetOnKart:
        assert relative_file_path[-3:] == "zip", f"extension must be zip, but {relative_file_path} is passed."
        file_path = self._workspace_path(relative_file_path)
        uid = self.make_unique_id() if use_unique_id else None
        return kart_storage.make_model_target(
            file_path,
            temporary_directory=self.local_temporary_directory,
            save_function=save_function,
            load_function=load_function,
            unique_id=uid,
            lock_params=self._target_lock_params(file_path, uid),
            **self._storage_options(),
        )

    def _workspace_path(self, relative_file_path: str) -> str:
        try:
            return kart_storage.join_workspace(self.workspace_directory, relative_file_path)
        except kart_storage.UnsafePathError as exc:
            raise kart_storage.UnsafePathError(f"{type(self).__name__}: {exc}") from None

    def _storage_options(self) -> dict[str, Any]:
        text = self.verify_integrity
        verify: bool | str | None
        if text is None:
            verify = None
        elif str(text).strip().lower() in _VERIFY_WORDS:
            verify = _VERIFY_WORDS[str(text).strip().lower()]
        else:
            raise ValueError(
                f"{type(self).__name__}: verify_integrity must be true, strict or false, not {text!r}"
            )
        return {"verify_integrity": verify, "create_only": bool(self.create_only)}

    def make_large_data_frame_target(
        self, relative_file_path: str | None = None, use_unique_id: bool = True, max_byte: int = 2**26
    ) -> kart_storage.TargetOnKart:
        rel = relative_file_path or os.path.join(self._module_path(), f"{type(self).__name__}.zip")
        processor = kart_storage.LargeDataFrameProcessor(max_byte=max_byte)
        return self.make_model_target(rel, processor.save, processor.load, use_unique_id=use_unique_id)

    # --- load and dump ---------------------------------------------------------------------------

    def _get_input_targets(self, target: Any) -> Any:
        if target is None:
            return self.input()
        if isinstance(target, str):
            inputs = self.input()
            assert isinstance(inputs, dict), (
                f"input must be dict[str, TargetOnKart], but {type(inputs)} is passed."
            )
            return inputs[target]
        if isinstance(target, TaskOnKart):
            required = {
                task.make_unique_id() for task in flatten(self.requires()) if isinstance(task, TaskOnKart)
            }
            assert target.make_unique_id() in required, f"{target} should be in requires method"
            return target.output()
        if isinstance(target, Iterable):
            return [self._get_input_targets(item) for item in target]
        return target

    # Typed as gokart 1.12.2's overloads; a sequence (not only a list) of tasks, and load_generator of one
    # task, are accepted too.
    @overload
    def load(self, target: str | kart_storage.TargetOnKart | None = None) -> Any: ...
    @overload
    def load(self, target: TaskOnKart[K]) -> K: ...
    @overload
    def load(self, target: Sequence[TaskOnKart[K]]) -> list[K]: ...
    def load(self, target: Any = None) -> Any:
        def load_all(targets: Any) -> Any:
            if isinstance(targets, list | tuple):
                return [load_all(t) for t in targets]
            if isinstance(targets, dict):
                return {key: load_all(t) for key, t in targets.items()}
            return targets.load()

        return load_all(self._get_input_targets(target))

    @overload
    def load_generator(
        self, target: str | kart_storage.TargetOnKart | None = None
    ) -> Generator[Any, None, None]: ...
    @overload
    def load_generator(self, target: TaskOnKart[K]) -> Generator[K, None, None]: ...
    @overload
    def load_generator(self, target: Sequence[TaskOnKart[K]]) -> Generator[K, None, None]: ...
    def load_generator(self, target: Any = None) -> Generator[Any, None, None]:
        def load_all(targets: Any) -> Generator[Any, None, None]:
            if isinstance(targets, list | tuple):
                for t in targets:
                    yield from load_all(t)
            elif isinstance(targets, dict):
                # gokart 1.12.2 yields the keys of a dict here; kart yields the loaded values.
                for t in targets.values():
                    yield from load_all(t)
            else:
                yield targets.load()

        return load_all(self._get_input_targets(target))

    def _get_output_target(self, target: Any) -> kart_storage.TargetOnKart:
        if target is None:
            output = self.output()
            assert isinstance(output, kart_storage.TargetOnKart), (
                f"output must be TargetOnKart, but {type(output)} is passed."
            )
            return output
        if isinstance(target, str):
            output = self.output()
            assert isinstance(output, dict), (
                f"output must be dict[str, TargetOnKart], but {type(output)} is passed."
            )
            chosen = output[target]
            assert isinstance(chosen, kart_storage.TargetOnKart), (
                f"output must be dict[str, TargetOnKart], but {type(chosen)} is passed."
            )
            return chosen
        assert isinstance(target, kart_storage.TargetOnKart)
        return target

    def _required_task_outputs(self) -> Any:
        def describe(task: Any) -> Any:
            return map_flattenable_items(
                lambda target: kart_storage.RequiredTaskOutput(
                    task_name=task.get_task_family(), output_path=_path_of(target)
                ),
                task.output(),
            )

        return map_flattenable_items(describe, self.requires())

    # gokart 1.12.2's overloads: the task's own output holds a T; a named target may hold anything.
    @overload
    def dump(self, obj: T, target: None = None, custom_labels: dict[Any, Any] | None = None) -> None: ...
    @overload
    def dump(
        self, obj: Any, target: str | kart_storage.TargetOnKart, custom_labels: dict[Any, Any] | None = None
    ) -> None: ...
    def dump(self, obj: Any, target: Any = None, custom_labels: dict[str, Any] | None = None) -> None:
        check_pandas_types(obj, task_namespace=self.task_namespace)
        if self.fail_on_empty_dump and isinstance(obj, pd.DataFrame) and obj.empty:
            raise EmptyDumpError()
        output = self._get_output_target(target)
        try:
            output.dump(
                obj,
                lock_at_dump=self._lock_at_dump,
                task_params=functools.partial(self.to_str_params, only_significant=True, only_public=True),
                custom_labels=custom_labels,
                required_task_outputs=self._required_task_outputs,  # evaluated only where labels are kept
            )
        except kart_storage.TargetExistsError:
            if not self.create_only:
                raise
            logger.warning("%s: %s was written by another worker first; kept it.", self, output.path())

    # --- supplementary logs, seeds, restore -------------------------------------------------

    @staticmethod
    def try_set_seed(methods: list[str], random_seed: int) -> list[str]:
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
        if self.task_log:
            return self.task_log
        target = self._get_task_log_target()
        return dict(target.load()) if target.exists() else {}

    def get_task_params(self) -> dict[str, Any]:
        """The parameters recorded at the last run (gokart 1.12.2 read the task-log file here by mistake)."""
        target = self._get_task_params_target()
        return dict(target.load()) if target.exists() else {}

    def get_processing_time(self) -> float | str:
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
        )

    def _inputs_ready(self) -> bool:
        # every requirement is asked (no short-cut), as before
        requirements_complete = [task.complete() for task in flatten(self.requires())]
        return all(requirements_complete) and _all_exist(flatten(self.input()))

    def _check_modification_time(self) -> bool:
        inputs = flatten(self.input())
        outputs = flatten(self.output())
        shared = {t.path() for t in inputs} & {t.path() for t in outputs}
        input_times: list[datetime] = [t.last_modification_time() for t in inputs if t.path() not in shared]
        output_times: list[datetime] = [t.last_modification_time() for t in outputs if t.path() not in shared]
        if not input_times or not output_times:
            return True
        return max(input_times) <= min(output_times)


_logs.register(TaskOnKart)
