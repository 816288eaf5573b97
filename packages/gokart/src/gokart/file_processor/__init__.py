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

__all__ = [  # noqa: RUF022 - gokart 1.12.2's order
    "FileProcessor",
    "DataFrameType",
    "BinaryFileProcessor",
    "PickleFileProcessor",
    "TextFileProcessor",
    "GzipFileProcessor",
    "XmlFileProcessor",
    "NpzFileProcessor",
    "CsvFileProcessor",
    "JsonFileProcessor",
    "ParquetFileProcessor",
    "FeatherFileProcessor",
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
