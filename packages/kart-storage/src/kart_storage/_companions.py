"""The files kart keeps next to a local output, and which output each belongs to.

Beside `<path>` kart writes its seal (`<path>.kart-digest`), its writers' lock while a sealed write
publishes (`<path>.kart-lock`) and the temporaries of writes in flight (`<path>-kart-tmp-...`). They
belong to their output: whoever keeps or deletes outputs (the workspace clean-up of kart-task) keeps or
deletes them with it. A needed pickle whose seal was deleted as "unneeded" still `exists()` but never
loads again under a signing key or strict integrity; one whose live temporary was deleted fails its
write. The names come from the modules that write them, so this list cannot drift from them.
"""

from __future__ import annotations

import os

from ._backends._writer_lock import LOCK_SUFFIX
from ._backends.local import _TEMP_MARKER
from ._integrity import SIDECAR_SUFFIX

#: suffixes that turn an output's path into the path of a file that belongs to it
_SUFFIXES = (SIDECAR_SUFFIX, LOCK_SUFFIX)


def companion_owner(path: str) -> str | None:
    """The output path that the file `path` belongs to (its seal, lock or write temporary), or None
    when `path` is no such companion file. Works on any spelling of the path: the owner is `path` with
    the companion's suffix removed, so a normalised path gives a normalised owner."""
    for suffix in _SUFFIXES:
        if path.endswith(suffix):
            return _named(path[: -len(suffix)])
    marker = path.rfind(_TEMP_MARKER)
    if marker >= 0:
        return _named(path[:marker])
    return None


def _named(owner: str) -> str | None:
    """`owner` when it names a file (`dir/.kart-digest` belongs to no output: its owner would be `dir/`)."""
    return owner if os.path.basename(owner) else None


__all__ = ["companion_owner"]
