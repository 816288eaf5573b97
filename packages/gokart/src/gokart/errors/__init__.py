"""gokart.errors: the exceptions users catch, defined in the kart libraries."""

from kart_task import EmptyDumpError, GokartBuildError, HasLockedTaskException, PandasTypeError

__all__ = [  # noqa: RUF022 - gokart 1.12.2's order
    "GokartBuildError",
    "HasLockedTaskException",
    "PandasTypeError",
    "EmptyDumpError",
]
