"""gokart.file_processor.polars: the polars DataFrame processors (usable when polars is installed)."""

from kart_storage import (
    CsvFileProcessorPolars,
    FeatherFileProcessorPolars,
    JsonFileProcessorPolars,
    ParquetFileProcessorPolars,
    has_polars,
)

HAS_POLARS = has_polars()

__all__ = [
    "HAS_POLARS",
    "CsvFileProcessorPolars",
    "FeatherFileProcessorPolars",
    "JsonFileProcessorPolars",
    "ParquetFileProcessorPolars",
]
