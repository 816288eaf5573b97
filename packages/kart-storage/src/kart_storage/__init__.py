"""Targets and file formats on local disk, S3, GCS and memory, with gokart's file naming and formats.

No luigi, no redis: locks plug in as plain context-manager factories.
"""

from ._errors import (
    CorruptTargetError,
    KartStorageError,
    StorageConfigurationError,
    TargetNotFoundError,
    UnsupportedExtensionError,
)
from ._filesystem import FileSystem, filesystem_for, register_filesystem

# --- file systems (local, memory, S3, GCS): names added here by the backends work ---

# --- formats, processors and targets: names added here by the formats work ---

__version__ = "0.1.0"

__all__ = [
    "CorruptTargetError",
    "FileSystem",
    "KartStorageError",
    "StorageConfigurationError",
    "TargetNotFoundError",
    "UnsupportedExtensionError",
    "__version__",
    "filesystem_for",
    "register_filesystem",
]
