"""load and dump for a task: which targets a name, a task or a list of tasks stands for, reading them,
and writing an object with the checks and labels gokart applies."""

from __future__ import annotations

import functools
import logging
from collections.abc import Generator, Iterable
from typing import Any

import pandas as pd

import kart_storage

from ._build_memo import per_task, requirements
from ._completeness import target_path
from ._errors import EmptyDumpError, TaskSettingError
from ._flatten import flatten, map_flattenable_items
from ._load_many import load_remote_concurrently
from ._pandas_type import check_pandas_types
from ._task_class import task_on_kart_class

logger = logging.getLogger("kart_task")


def input_targets(task: Any, target: Any) -> Any:
    """The targets `load(target)` reads: all inputs, the input of that name, that required task's
    output, or a list of those."""
    if target is None:
        return task.input()
    if isinstance(target, str):
        inputs = task.input()
        if not isinstance(inputs, dict):
            raise TaskSettingError(f"input must be dict[str, TargetOnKart], but {type(inputs)} is passed.")
        return inputs[target]
    if isinstance(target, task_on_kart_class()):
        required = {
            dep.make_unique_id()
            for dep in flatten(requirements(task))
            if isinstance(dep, task_on_kart_class())
        }
        if target.make_unique_id() not in required:
            raise TaskSettingError(f"{target} should be in requires method")
        return target.output()
    if isinstance(target, Iterable):
        return [task._get_input_targets(item) for item in target]
    return target


def load_all(targets: Any) -> Any:
    """Every target loaded, in the same list/tuple/dict shape (object-store targets read concurrently)."""
    return _load_shaped(targets, load_remote_concurrently(targets))


def _load_shaped(targets: Any, loaded: dict[int, Any]) -> Any:
    if isinstance(targets, list | tuple):
        return [_load_shaped(t, loaded) for t in targets]
    if isinstance(targets, dict):
        return {key: _load_shaped(t, loaded) for key, t in targets.items()}
    if id(targets) in loaded:
        return loaded[id(targets)]
    return targets.load()


def load_each(targets: Any) -> Generator[Any, None, None]:
    """Every target loaded, one at a time (a dict's values; gokart 1.12.2 yielded its keys)."""
    if isinstance(targets, list | tuple):
        for t in targets:
            yield from load_each(t)
    elif isinstance(targets, dict):
        for t in targets.values():
            yield from load_each(t)
    else:
        yield targets.load()


def output_target(task: Any, target: Any) -> kart_storage.TargetOnKart:
    """The target `dump(obj, target)` writes: the task's output, its output of that name, or `target`."""
    if target is None:
        output = task.output()
        if not isinstance(output, kart_storage.TargetOnKart):
            raise TaskSettingError(f"output must be TargetOnKart, but {type(output)} is passed.")
        return output
    if isinstance(target, str):
        outputs = task.output()
        if not isinstance(outputs, dict):
            raise TaskSettingError(f"output must be dict[str, TargetOnKart], but {type(outputs)} is passed.")
        chosen = outputs[target]
        if not isinstance(chosen, kart_storage.TargetOnKart):
            raise TaskSettingError(f"output must be dict[str, TargetOnKart], but {type(chosen)} is passed.")
        return chosen
    if not isinstance(target, kart_storage.TargetOnKart):
        raise TaskSettingError(f"target must be a name or a TargetOnKart, but {type(target)} is passed.")
    return target


def required_task_outputs(task: Any) -> Any:
    """Where each required task wrote its outputs (the `__required_task_outputs` label)."""

    def describe(required: Any) -> Any:
        return map_flattenable_items(
            lambda target: kart_storage.RequiredTaskOutput(
                task_name=required.get_task_family(), output_path=target_path(target)
            ),
            required.output(),
        )

    return per_task(
        task, "required_task_outputs", lambda: map_flattenable_items(describe, requirements(task))
    )


def dump(task: Any, obj: Any, target: Any, custom_labels: dict[str, Any] | None) -> None:
    check_pandas_types(obj, task_namespace=task.task_namespace)
    if task.fail_on_empty_dump and isinstance(obj, pd.DataFrame) and obj.empty:
        raise EmptyDumpError()
    output = task._get_output_target(target)
    try:
        output.dump(
            obj,
            lock_at_dump=task._lock_at_dump,
            task_params=functools.partial(task.to_str_params, only_significant=True, only_public=True),
            custom_labels=custom_labels,
            # evaluated only where labels are kept
            required_task_outputs=functools.partial(required_task_outputs, task),
        )
    except kart_storage.TargetExistsError:
        if not task.create_only:
            raise
        logger.warning("%s: %s was written by another worker first; kept it.", task, output.path())
