"""The extension -> FileProcessor registry behind `make_file_processor`; users add their own formats.

Processors are built lazily, once per (extension, options), and shared: building one never imports
polars unless a polars dataframe type is asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ._errors import StorageArgumentError, UnsupportedExtensionError
from ._naming import extension_of
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
    FeatherFileProcessor,
    JsonFileProcessor,
    ParquetFileProcessor,
)

#: builds a processor from the options every factory receives: store_index_in_feather, dataframe_type
ProcessorFactory = Callable[..., FileProcessor]

_factories: dict[str, ProcessorFactory] = {
    ".txt": lambda **_: TextFileProcessor(),
    ".ini": lambda **_: TextFileProcessor(),
    ".csv": lambda *, dataframe_type, **_: CsvFileProcessor(sep=",", dataframe_type=dataframe_type),
    ".tsv": lambda *, dataframe_type, **_: CsvFileProcessor(sep="\t", dataframe_type=dataframe_type),
    ".pkl": lambda **_: PickleFileProcessor(),
    ".gz": lambda **_: GzipFileProcessor(),
    ".json": lambda *, dataframe_type, **_: JsonFileProcessor(dataframe_type=dataframe_type),
    ".ndjson": lambda *, dataframe_type, **_: JsonFileProcessor(
        dataframe_type=dataframe_type, orient="records"
    ),
    ".xml": lambda **_: XmlFileProcessor(),
    ".npz": lambda **_: NpzFileProcessor(),
    ".parquet": lambda *, dataframe_type, **_: ParquetFileProcessor(
        compression="gzip", dataframe_type=dataframe_type
    ),
    ".feather": lambda *, dataframe_type, store_index_in_feather, **_: FeatherFileProcessor(
        store_index_in_feather=store_index_in_feather, dataframe_type=dataframe_type
    ),
    ".png": lambda **_: BinaryFileProcessor(),
    ".jpg": lambda **_: BinaryFileProcessor(),
}
_built: dict[tuple[str, bool, str], FileProcessor] = {}
_lock = threading.Lock()


def forget_built_processors() -> None:
    """Drop the processors built so far; registrations stay (part of `kart_storage.reset`)."""
    with _lock:
        _built.clear()


def supported_extensions() -> list[str]:
    """Registered extensions, gokart's fourteen first, in registration order."""
    return list(_factories)


def register_file_processor(extension: str, processor: FileProcessor | ProcessorFactory) -> None:
    """Use `processor` (an instance, or a factory taking keyword options) for paths ending in `extension`.

    Example: `register_file_processor(".yaml", YamlProcessor())`. Replaces an existing registration.
    """
    if not extension.startswith(".") or len(extension) < 2:
        raise StorageArgumentError(f"extension must look like '.ext', got {extension!r}")
    factory: ProcessorFactory
    if isinstance(processor, FileProcessor):
        instance = processor

        def factory(**_: Any) -> FileProcessor:
            return instance

    else:
        factory = processor
    with _lock:
        _factories[extension] = factory
        for key in [key for key in _built if key[0] == extension]:
            del _built[key]


def make_file_processor(
    file_path: str, store_index_in_feather: bool = True, *, dataframe_type: str = "pandas"
) -> FileProcessor:
    """The processor for `file_path`'s last extension (case-sensitive, as gokart)."""
    extension = extension_of(file_path)
    key = (extension, store_index_in_feather, dataframe_type)
    processor = _built.get(key)
    if processor is not None:
        return processor
    factory = _factories.get(extension)
    if factory is None:
        raise UnsupportedExtensionError(
            f"{extension} is not supported. The supported extensions are {supported_extensions()}."
            f" (path {file_path!r}; register a processor with"
            f" kart_storage.register_file_processor({extension or '.ext'!r}, processor)"
            " or pass processor= to make_target)"
        )
    processor = factory(store_index_in_feather=store_index_in_feather, dataframe_type=dataframe_type)
    with _lock:
        return _built.setdefault(key, processor)
