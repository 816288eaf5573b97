from kart_storage import InMemoryData

__all__ = ["InMemoryData"]
