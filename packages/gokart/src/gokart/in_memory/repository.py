from kart_storage import InMemoryCacheRepository

__all__ = ["InMemoryCacheRepository"]
