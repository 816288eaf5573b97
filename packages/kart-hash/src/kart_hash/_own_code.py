"""The source text that `serialized_task_definition_check` folds into a task's id."""

from __future__ import annotations

import inspect


def _member_sources(obj: object) -> set[str]:
    sources: set[str] = set()
    for _, member in inspect.getmembers(obj):
        if (
            inspect.isfunction(member)
            or inspect.ismethod(member)
            or inspect.isframe(member)
            or inspect.iscode(member)
        ):
            try:
                sources.add(inspect.getsource(member))
            except (OSError, TypeError):
                continue  # defined in a REPL or C: no source to hash, as upstream
    return sources


def own_code(task: object, base: type) -> str:
    """Sources of the functions `task` has beyond those of `base`, sorted and joined (gokart 1.12.2).

    Sorting a set of texts makes the result independent of member order; module-level helpers
    the methods call are deliberately not included, matching upstream.
    """
    return "".join(sorted(_member_sources(task) - _member_sources(base)))
