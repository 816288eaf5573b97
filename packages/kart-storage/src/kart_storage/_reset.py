"""`reset()`: forget the per-process state kart-storage built while it was used."""

from __future__ import annotations

from ._filesystem import forget_filesystems
from ._in_memory import InMemoryCacheRepository
from ._pickle import forget_dill_lookup
from ._registry import forget_built_processors


def reset() -> None:
    """Forget what kart-storage built or kept in this process, as if no target had been used yet.

    Cleared: the file systems built so far with their S3/GCS clients (the next path builds a new one,
    re-reading credentials and the environment), the processors built per extension, the one-time
    lookup of dill, and the objects of in-memory targets (`InMemoryCacheRepository`) and of `memory://`
    paths. Kept, because callers chose them: `configure_s3/gcs/local`, `register_filesystem`,
    `register_file_processor`, `override_filesystem` and `set_lock_wrappers` (host packages install
    some of these when imported). For tests and long-lived processes that change their environment.
    """
    forget_filesystems()
    forget_built_processors()
    forget_dill_lookup()
    InMemoryCacheRepository().clear()
