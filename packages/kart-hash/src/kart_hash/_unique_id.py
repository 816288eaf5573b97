"""gokart 1.12.2 unique ids from already-serialised parts, with no luigi in sight.

The id is the MD5 of Python's `str()` of a list, so the list is built from real `str` and
`dict[str, str]` objects and formatted by Python itself: any hand-rolled formatting would drift
from upstream on some escape rule and make every cache invisible.
"""

from __future__ import annotations

import bz2
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence

from ._errors import InvalidInputError, UnsupportedValueError

DependencyEntry = str | Mapping[str, str]


def unique_id(
    dependencies: Iterable[DependencyEntry | None],
    params: Mapping[str, str],
    class_name: str,
    own_code: str | None = None,
) -> str:
    """The 32-hex id gokart gives a task.

    `dependencies`: for each flattened `requires()` item in order, the uid of a TaskOnKart
    dependency, the `to_str_params(only_significant=True)` dict of a plain luigi task, or None
    for an insignificant TaskOnKart (skipped). `params`: the task's own significant parameters,
    serialised, in parameter creation order. `own_code`: the task's own source text when
    `serialized_task_definition_check` is on.
    """
    entries: list[object] = []
    for entry in dependencies:
        if entry is None:
            continue
        if isinstance(entry, str):
            entries.append(entry)
        elif isinstance(entry, Mapping):
            entries.append(dict(entry))
        else:
            raise UnsupportedValueError(
                f"dependency entry must be a uid str or a params mapping, not {type(entry).__name__}"
            )
    entries.append(dict(params))
    entries.append(class_name)
    if own_code is not None:
        entries.append(own_code)
    return hashlib.md5(str(entries).encode("utf-8"), usedforsecurity=False).hexdigest()


def task_parameter_text(family: str, params: Mapping[str, str]) -> str:
    """How gokart's TaskInstanceParameter serialises a task: its family and bz2-packed params."""
    packed = bz2.compress(json.dumps(dict(params)).encode("utf-8"), compresslevel=9).hex()
    return json.dumps({"type": family, "params": packed})


def task_list_parameter_text(tasks: Sequence[tuple[str, Mapping[str, str]]]) -> str:
    """How gokart's ListTaskInstanceParameter serialises (family, params) pairs: a JSON array of texts."""
    return json.dumps([task_parameter_text(family, params) for family, params in tasks])


def parse_task_parameter_text(text: str) -> tuple[str, dict[str, str]]:
    """Inverse of `task_parameter_text`: (family, params), for restoring a task from its serialised form."""
    try:
        outer = json.loads(text)
        family = outer["type"]
        params = json.loads(bz2.decompress(bytes.fromhex(outer["params"])).decode("utf-8"))
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise InvalidInputError(f"not a serialised task parameter: {text[:80]!r}") from exc
    if not isinstance(family, str) or not isinstance(params, dict):
        raise InvalidInputError(f"not a serialised task parameter: {text[:80]!r}")
    return family, params
