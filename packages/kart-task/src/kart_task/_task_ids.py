"""A task's identity: its parameter list, serialised parameters, gokart-compatible unique id and the
text it shows in logs. TaskOnKart's methods of the same names call these."""

from __future__ import annotations

import inspect
import weakref
from typing import Any

import luigi

import kart_hash

from . import _task_texts
from ._build_memo import class_memo, requirements
from ._errors import NotATaskError
from ._flatten import flatten
from ._parameters import ListTaskInstanceParameter, TaskInstanceParameter
from ._task_class import task_on_kart_class

_STR_PARAMS_CACHE = _task_texts.STR_PARAMS_CACHE
_STR_RESULTS_CACHE = _task_texts.STR_RESULTS_CACHE
_TASK_VALUED = (TaskInstanceParameter, ListTaskInstanceParameter)
_PUBLIC = luigi.parameter.ParameterVisibility.PUBLIC
_PRIVATE = luigi.parameter.ParameterVisibility.PRIVATE

Params = list[tuple[str, luigi.Parameter[Any]]]

# class -> (the shape of its classes' namespaces when computed, luigi's parameter list)
_params_by_class: weakref.WeakKeyDictionary[type, tuple[tuple[int, ...], Params]] = (
    weakref.WeakKeyDictionary()
)


def _namespace_shape(cls: type) -> tuple[int, ...]:
    """Changes when an attribute is added to or removed from the class or any base (a parameter added
    after the first call, say): cheap next to the dir() scan it guards."""
    return tuple(len(klass.__dict__) for klass in cls.__mro__)


def class_params(cls: type[luigi.Task]) -> Params:
    """luigi's parameter list, computed once per class and shape (luigi runs dir() on every call,
    several times per instance). Added, replaced or removed parameters are noticed (within a build:
    once, when the build first asks)."""
    in_build = class_memo()
    if in_build is not None:
        checked = in_build.get(cls)
        if checked is not None:
            return list(checked)
    shape = _namespace_shape(cls)
    known = _params_by_class.get(cls)
    if known is not None and known[0] == shape:
        cached = known[1]
        if all(getattr(cls, name, None) is param for name, param in cached):
            if in_build is not None:
                in_build[cls] = cached
            return list(cached)
    cached = luigi.Task.get_params.__func__(cls)  # type: ignore[attr-defined]
    _params_by_class[cls] = (shape, cached)
    if in_build is not None:
        in_build[cls] = cached
    return list(cached)


def reset() -> None:
    """Forget every class's parameter list and the recent large texts (kart_task.reset())."""
    _params_by_class.clear()
    _task_texts.reset()


def str_params(task: luigi.Task, only_significant: bool, only_public: bool) -> dict[str, str]:
    """luigi's serialised parameters; each parameter is serialised once per instance, so a parent's id
    reuses its children's text instead of re-serialising whole subtrees (luigi's task id and the unique
    id ask for different subsets of the same texts). A large text of a task-valued parameter is not
    kept here: the held task keeps or rebuilds it (`_task_texts`)."""
    key = (only_significant, only_public)
    results: dict[tuple[bool, bool], dict[str, str]] = task.__dict__.setdefault(_STR_RESULTS_CACHE, {})
    known = results.get(key)
    if known is not None:
        return dict(known)  # a copy: callers (luigi among them) may change what they get
    texts: dict[str, str] = task.__dict__.setdefault(_STR_PARAMS_CACHE, {})
    params = dict(task.get_params())
    result: dict[str, str] = {}
    keep = True
    for name, value in task.param_kwargs.items():
        param = params[name]
        if only_significant and not param.significant:
            continue
        if param.visibility == _PRIVATE or (only_public and param.visibility != _PUBLIC):
            continue
        text = texts.get(name)
        if text is None:
            text = param.serialize(value)
            if not isinstance(param, _TASK_VALUED) or len(text) < _task_texts.LARGE:
                texts[name] = text
            else:
                keep = False
        result[name] = text
    if keep:
        results[key] = result
    return dict(result)


def hash_id(task: Any) -> str:
    """gokart's unique id: the ids (or luigi parameters) of the requirements, the significant
    parameters, the class name and, under serialized_task_definition_check, the class's code."""
    task_on_kart = task_on_kart_class()
    dependencies: list[str | dict[str, str] | None] = []
    for dependency in flatten(requirements(task)):
        if isinstance(dependency, task_on_kart):
            dependencies.append(dependency.make_unique_id() if dependency.significant else None)
        elif isinstance(dependency, luigi.Task):
            dependencies.append(dependency.to_str_params(only_significant=True))
        else:
            raise NotATaskError(
                f"Task.requires method returns {type(dependency)}. You should return luigi.Task."
            )
    if not task.serialized_task_definition_check:
        recorded = _task_texts.recorded_unique_id(task, dependencies)
        if recorded is not None:  # computed when the parameter texts were at hand (see _task_texts)
            return recorded
    own_code = task.get_own_code() if task.serialized_task_definition_check else None
    return kart_hash.unique_id(
        dependencies, task.to_str_params(only_significant=True), type(task).__name__, own_code
    )


def code_of(target_class: Any) -> set[str]:
    """The source of every method, function, frame and code object of a class (gokart's get_code)."""

    def is_code(member: Any) -> bool:
        return (
            inspect.ismethod(member)
            or inspect.isfunction(member)
            or inspect.isframe(member)
            or inspect.iscode(member)
        )

    return {inspect.getsource(member) for _, member in inspect.getmembers(target_class, is_code)}


def describe(task: Any, public_only: bool) -> str:
    """`Family[unique id](name=value, ...)`, tasks shown by their ids; printable even when the id fails."""
    try:
        return _describe_with_ids(task, public_only)
    except Exception as exc:
        # luigi formats a task whose requires() fails while reporting that failure: stay printable.
        problem = f"unique id unavailable: {type(exc).__name__}: {exc}"
        return f"{task.get_task_family()}[{problem}]({task.task_id})"


def _describe_with_ids(task: Any, public_only: bool) -> str:
    parts = []
    params: Params = task.get_params()
    for name, parameter in params:
        if not parameter.significant:
            continue
        if public_only and parameter.visibility != _PUBLIC:
            continue
        value = getattr(task, name)
        if isinstance(parameter, TaskInstanceParameter):
            text = f"{value.get_task_family()}({value.make_unique_id()})"
        elif isinstance(parameter, ListTaskInstanceParameter):
            text = "[" + ", ".join(f"{t.get_task_family()}({t.make_unique_id()})" for t in value) + "]"
        else:
            text = str(parameter.serialize(value))
        parts.append(f"{name}={text}")
    return f"{task.get_task_family()}[{task.make_unique_id()}]({', '.join(parts)})"


def info(task: Any, only_significant: bool) -> dict[str, str]:
    """gokart's get_info: parameter texts, task-valued ones as `Class-<unique id>`."""
    params = dict(task.get_params())
    found: dict[str, str] = {}
    for name, value in task.param_kwargs.items():
        parameter = params[name]
        if only_significant and not parameter.significant:
            continue
        if isinstance(parameter, TaskInstanceParameter):
            found[name] = f"{type(value).__name__}-{value.make_unique_id()}"
        else:
            found[name] = str(parameter.serialize(value))
    return found
