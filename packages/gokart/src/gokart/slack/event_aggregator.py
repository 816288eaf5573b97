from kart_task import EventAggregator, FailureEvent

__all__ = ["EventAggregator", "FailureEvent"]
