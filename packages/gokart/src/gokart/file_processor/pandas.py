"""gokart.file_processor.pandas: the pandas DataFrame processors."""

from kart_storage import (
    CsvFileProcessorPandas,
    FeatherFileProcessorPandas,
    JsonFileProcessorPandas,
    ParquetFileProcessorPandas,
)

__all__ = [
    "CsvFileProcessorPandas",
    "FeatherFileProcessorPandas",
    "JsonFileProcessorPandas",
    "ParquetFileProcessorPandas",
]
