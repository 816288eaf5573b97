"""gokart.in_memory: targets held in this process's memory (experimental in gokart too)."""

from kart_storage import InMemoryCacheRepository, InMemoryTarget, make_in_memory_target

from . import data, repository, target  # noqa: F401 - gokart's submodules

__all__ = ["InMemoryCacheRepository", "InMemoryTarget", "make_in_memory_target"]
