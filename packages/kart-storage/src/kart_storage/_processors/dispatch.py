"""gokart's DataFrame processors that pick pandas or polars from `dataframe_type` at construction."""

from __future__ import annotations

from typing import IO, Any, BinaryIO, Literal

from kart_storage._formats import StreamFormat

from .base import FileProcessor
from .pandas import (
    CsvFileProcessorPandas,
    FeatherFileProcessorPandas,
    JsonFileProcessorPandas,
    ParquetFileProcessorPandas,
)
from .polars import (
    CsvFileProcessorPolars,
    FeatherFileProcessorPolars,
    JsonFileProcessorPolars,
    ParquetFileProcessorPolars,
)

DataFrameType = Literal["pandas", "polars", "polars-lazy"]


def _is_polars(dataframe_type: str) -> bool:
    # as upstream: any value other than the two polars names means pandas
    return dataframe_type in ("polars", "polars-lazy")


class _Dispatching(FileProcessor):
    _impl: FileProcessor

    def __init__(self, dataframe_type: str) -> None:
        self._dataframe_type = dataframe_type

    @property
    def expected_types(self) -> str:  # type: ignore[override]
        return self._impl.expected_types

    @property
    def format_name(self) -> str:
        return f"{type(self).__name__}({self._dataframe_type})"

    def format(self) -> StreamFormat:
        return self._impl.format()

    def check(self, obj: object) -> None:
        self._impl.check(obj)

    def load(self, file: IO[Any]) -> Any:
        return self._impl.load(file)

    def _load_raw(self, raw: BinaryIO) -> Any:
        if self._replaced(_Dispatching, "load", "format"):
            return super()._load_raw(raw)
        return self._impl._load_raw(raw)

    def _stored_damage(self, raw: BinaryIO) -> str | None:
        if self._replaced(_Dispatching, "dump", "format"):
            return None
        return self._impl._stored_damage(raw)

    def dump(self, obj: Any, file: IO[Any]) -> None:
        self._impl.dump(obj, file)


class CsvFileProcessor(_Dispatching):
    """`.csv` / `.tsv`: pandas or polars frames, chosen by `dataframe_type`, in gokart's csv layout."""

    def __init__(self, sep: str = ",", encoding: str = "utf-8", dataframe_type: str = "pandas") -> None:
        super().__init__(dataframe_type)
        self._sep = sep
        self._encoding = encoding
        self._impl = (
            CsvFileProcessorPolars(sep, encoding, lazy=dataframe_type == "polars-lazy")
            if _is_polars(dataframe_type)
            else CsvFileProcessorPandas(sep, encoding)
        )


class JsonFileProcessor(_Dispatching):
    """`.json` / `.ndjson`: pandas or polars frames, chosen by `dataframe_type`."""

    def __init__(self, orient: str | None = None, dataframe_type: str = "pandas") -> None:
        super().__init__(dataframe_type)
        self._orient = orient
        self._impl = (
            JsonFileProcessorPolars(orient, lazy=dataframe_type == "polars-lazy")
            if _is_polars(dataframe_type)
            else JsonFileProcessorPandas(orient)
        )


class ParquetFileProcessor(_Dispatching):
    """`.parquet`: pandas or polars frames, chosen by `dataframe_type` (index not stored)."""

    def __init__(
        self, engine: str = "pyarrow", compression: str | None = None, dataframe_type: str = "pandas"
    ) -> None:
        super().__init__(dataframe_type)
        self._engine = engine
        self._compression = compression
        self._impl = (
            ParquetFileProcessorPolars(engine, compression, lazy=dataframe_type == "polars-lazy")
            if _is_polars(dataframe_type)
            else ParquetFileProcessorPandas(engine, compression)
        )


class FeatherFileProcessor(_Dispatching):
    """`.feather`: pandas or polars frames, chosen by `dataframe_type`."""

    def __init__(self, store_index_in_feather: bool, dataframe_type: str = "pandas") -> None:
        super().__init__(dataframe_type)
        self._store_index_in_feather = store_index_in_feather
        self._impl = (
            FeatherFileProcessorPolars(store_index_in_feather, lazy=dataframe_type == "polars-lazy")
            if _is_polars(dataframe_type)
            else FeatherFileProcessorPandas(store_index_in_feather)
        )
