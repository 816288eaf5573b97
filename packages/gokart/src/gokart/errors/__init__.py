"""gokart.errors: the exceptions users catch, defined in the kart libraries."""

from kart_task import EmptyDumpError, GokartBuildError, HasLockedTaskException, PandasTypeError

__all__ = ["EmptyDumpError", "GokartBuildError", "HasLockedTaskException", "PandasTypeError"]
