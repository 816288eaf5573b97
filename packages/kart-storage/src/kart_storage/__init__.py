"""Targets and file formats on local disk, S3, GCS and memory, with gokart's file naming and formats.

No luigi, no redis: locks plug in as plain context-manager factories.
"""

# --- file systems (local, memory, S3, GCS): names added here by the backends work ---
from ._backends import (
    GCSConfig,
    GCSFileSystem,
    LocalFileSystem,
    MemoryFileSystem,
    S3Config,
    S3FileSystem,
    configure_gcs,
    configure_local,
    configure_s3,
    register_builtin_filesystems,
    without_fsync,
)
from ._errors import (
    CorruptTargetError,
    FeatherIndexError,
    IntegrityError,
    IntegritySettingError,
    KartStorageError,
    MissingCacheEntryError,
    MissingExtraError,
    MissingInMemoryDataError,
    MissingModuleError,
    StorageArgumentError,
    StorageConfigurationError,
    TargetExistsError,
    TargetNotFoundError,
    UnsafePathError,
    UnstorableValueError,
    UnsupportedExtensionError,
    UntrustedPickleError,
)
from ._exists_many import exists_many
from ._filesystem import (
    CreateOnlyFileSystem,
    FileSystem,
    filesystem_for,
    override_filesystem,
    register_filesystem,
)

# --- formats, processors and targets: names added here by the formats work ---
from ._formats import GZIP, NOP, StreamFormat, Text, TextStreamFormat
from ._in_memory import InMemoryCacheRepository, InMemoryData, InMemoryTarget, make_in_memory_target
from ._integrity import IntegrityWarning, parse_verify_integrity
from ._labels import RequiredTaskOutput, task_state_labels
from ._large_frames import LargeDataFrameProcessor
from ._listing import ListingFileSystem, StoredObject, list_objects
from ._model import ModelTarget, make_model_target
from ._naming import make_file_path
from ._processors.base import (
    BinaryFileProcessor,
    FileProcessor,
    GzipFileProcessor,
    NpzFileProcessor,
    PickleFileProcessor,
    TextFileProcessor,
    XmlFileProcessor,
)
from ._processors.dispatch import (
    CsvFileProcessor,
    DataFrameType,
    FeatherFileProcessor,
    JsonFileProcessor,
    ParquetFileProcessor,
)
from ._processors.pandas import (
    CsvFileProcessorPandas,
    FeatherFileProcessorPandas,
    JsonFileProcessorPandas,
    ParquetFileProcessorPandas,
)
from ._processors.polars import (
    CsvFileProcessorPolars,
    FeatherFileProcessorPolars,
    JsonFileProcessorPolars,
    ParquetFileProcessorPolars,
    has_polars,
)
from ._publish_guard import PublishGuard, publish_guard
from ._registry import ProcessorFactory, make_file_processor, register_file_processor, supported_extensions
from ._reset import reset
from ._single_file import SingleFileTarget, make_target
from ._targets import LockFactory, LockWrappers, TargetOnKart, set_lock_wrappers
from ._uploads import (
    UnfinishedUpload,
    UploadListingFileSystem,
    abort_unfinished_upload,
    list_unfinished_uploads,
)
from ._workspace import join_workspace

register_builtin_filesystems()  # file systems: local, memory, s3://, gs:// (clients built lazily)

__version__ = "0.1.0"

__all__ = [
    "GZIP",
    "NOP",
    "BinaryFileProcessor",
    "CorruptTargetError",
    "CreateOnlyFileSystem",
    "CsvFileProcessor",
    "CsvFileProcessorPandas",
    "CsvFileProcessorPolars",
    "DataFrameType",
    "FeatherFileProcessor",
    "FeatherFileProcessorPandas",
    "FeatherFileProcessorPolars",
    "FeatherIndexError",
    "FileProcessor",
    "FileSystem",
    "GCSConfig",
    "GCSFileSystem",
    "GzipFileProcessor",
    "InMemoryCacheRepository",
    "InMemoryData",
    "InMemoryTarget",
    "IntegrityError",
    "IntegritySettingError",
    "IntegrityWarning",
    "JsonFileProcessor",
    "JsonFileProcessorPandas",
    "JsonFileProcessorPolars",
    "KartStorageError",
    "LargeDataFrameProcessor",
    "ListingFileSystem",
    "LocalFileSystem",
    "LockFactory",
    "LockWrappers",
    "MemoryFileSystem",
    "MissingCacheEntryError",
    "MissingExtraError",
    "MissingInMemoryDataError",
    "MissingModuleError",
    "ModelTarget",
    "NpzFileProcessor",
    "ParquetFileProcessor",
    "ParquetFileProcessorPandas",
    "ParquetFileProcessorPolars",
    "PickleFileProcessor",
    "ProcessorFactory",
    "PublishGuard",
    "RequiredTaskOutput",
    "S3Config",
    "S3FileSystem",
    "SingleFileTarget",
    "StorageArgumentError",
    "StorageConfigurationError",
    "StoredObject",
    "StreamFormat",
    "TargetExistsError",
    "TargetNotFoundError",
    "TargetOnKart",
    "Text",
    "TextFileProcessor",
    "TextStreamFormat",
    "UnfinishedUpload",
    "UnsafePathError",
    "UnstorableValueError",
    "UnsupportedExtensionError",
    "UntrustedPickleError",
    "UploadListingFileSystem",
    "XmlFileProcessor",
    "__version__",
    "abort_unfinished_upload",
    "configure_gcs",
    "configure_local",
    "configure_s3",
    "exists_many",
    "filesystem_for",
    "has_polars",
    "join_workspace",
    "list_objects",
    "list_unfinished_uploads",
    "make_file_path",
    "make_file_processor",
    "make_in_memory_target",
    "make_model_target",
    "make_target",
    "override_filesystem",
    "parse_verify_integrity",
    "publish_guard",
    "register_file_processor",
    "register_filesystem",
    "reset",
    "set_lock_wrappers",
    "supported_extensions",
    "task_state_labels",
    "without_fsync",
]
