"""TaskOnKart on luigi: parameters, unique ids, cached targets, build and run, task information, testing helpers."""

__version__ = "0.1.0"

__all__ = ["__version__"]
