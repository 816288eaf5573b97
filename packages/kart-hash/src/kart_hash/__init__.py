"""Unique ids of tasks (byte-compatible with gokart 1.12.2), stable fingerprints of values, file digests. Standard library only."""

__version__ = "0.1.0"

__all__ = ["__version__"]
