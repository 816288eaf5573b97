from kart_storage import InMemoryTarget, make_in_memory_target

__all__ = ["InMemoryTarget", "make_in_memory_target"]
