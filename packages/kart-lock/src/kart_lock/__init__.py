"""Redis locks with one shared heartbeat thread, and gokart-compatible lock-wrapped dump/load/remove/run."""

__version__ = "0.1.0"

__all__ = ["__version__"]
