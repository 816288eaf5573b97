"""Unique ids of tasks (byte-compatible with gokart 1.12.2), stable fingerprints of values, file digests.

Standard library only: numpy and pandas values are fingerprinted when those libraries are
already imported by the caller, never imported here.
"""

from ._digest import file_digest, file_digest_and_hmac
from ._errors import DigestFileNotFoundError, InvalidInputError, KartHashError, UnsupportedValueError
from ._fingerprint import fingerprint
from ._own_code import own_code
from ._unique_id import (
    DependencyEntry,
    parse_task_parameter_text,
    task_list_parameter_text,
    task_parameter_text,
    unique_id,
)

__version__ = "0.1.0"

__all__ = [
    "DependencyEntry",
    "DigestFileNotFoundError",
    "InvalidInputError",
    "KartHashError",
    "UnsupportedValueError",
    "__version__",
    "file_digest",
    "file_digest_and_hmac",
    "fingerprint",
    "own_code",
    "parse_task_parameter_text",
    "task_list_parameter_text",
    "task_parameter_text",
    "unique_id",
]
