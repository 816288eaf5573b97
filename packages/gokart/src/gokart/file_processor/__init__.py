"""gokart.file_processor: file formats by extension, defined in kart-storage."""

from kart_storage import (
    BinaryFileProcessor,
    CsvFileProcessor,
    CsvFileProcessorPandas,
    CsvFileProcessorPolars,
    DataFrameType,
    FeatherFileProcessor,
    FeatherFileProcessorPandas,
    FeatherFileProcessorPolars,
    FileProcessor,
    GzipFileProcessor,
    JsonFileProcessor,
    JsonFileProcessorPandas,
    JsonFileProcessorPolars,
    NpzFileProcessor,
    ParquetFileProcessor,
    ParquetFileProcessorPandas,
    ParquetFileProcessorPolars,
    PickleFileProcessor,
    TextFileProcessor,
    XmlFileProcessor,
    make_file_processor,
)

from . import base, pandas, polars  # noqa: F401 - gokart loads its submodules with the package

__all__ = [
    "BinaryFileProcessor",
    "CsvFileProcessor",
    "DataFrameType",
    "FeatherFileProcessor",
    "FileProcessor",
    "GzipFileProcessor",
    "JsonFileProcessor",
    "NpzFileProcessor",
    "ParquetFileProcessor",
    "PickleFileProcessor",
    "TextFileProcessor",
    "XmlFileProcessor",
    "make_file_processor",
]
_reexports = (
    CsvFileProcessorPandas,
    CsvFileProcessorPolars,
    FeatherFileProcessorPandas,
    FeatherFileProcessorPolars,
    JsonFileProcessorPandas,
    JsonFileProcessorPolars,
    ParquetFileProcessorPandas,
    ParquetFileProcessorPolars,
)
