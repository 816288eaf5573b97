from kart_storage import RequiredTaskOutput

__all__ = ["RequiredTaskOutput"]
