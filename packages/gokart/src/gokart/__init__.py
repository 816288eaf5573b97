"""Drop-in replacement for gokart 1.12: gokart's public API at its documented module paths,
built on the kart libraries."""

__version__ = "1.12.2.post1"

__all__ = ["__version__"]
