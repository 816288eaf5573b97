"""One family of errors: each also derives from the standard exception it stands for, so
`except TypeError` / `except ValueError` written before the family existed keeps working."""

from __future__ import annotations


class KartHashError(Exception):
    """Base of every error kart-hash raises on purpose."""


class UnsupportedValueError(KartHashError, TypeError):
    """A value cannot be fingerprinted or put into a task id (the message names the type and where it
    sits)."""


class InvalidInputError(KartHashError, ValueError):
    """Text that is not a serialised task parameter, or an unknown digest algorithm."""


class DigestFileNotFoundError(KartHashError, FileNotFoundError):
    """`file_digest` was given the path of a missing file."""
