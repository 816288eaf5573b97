"""DataFrame formats with pandas: csv/tsv, json/ndjson, parquet, feather (index kept in a column)."""

from __future__ import annotations

import io
from typing import IO, Any, BinaryIO

import pandas as pd
from pandas.errors import EmptyDataError

from kart_storage._errors import FeatherIndexError
from kart_storage._formats import StreamFormat, Text

from ._csv_returns import has_carriage_return
from ._tail_checks import JSON_RULE, csv_rule
from .base import FileProcessor
from .raw_reads import UniversalNewlines, is_utf8, native_local_file, reopened_path

# the stubs pin orient/engine to literals; values here come from user options checked by pandas itself
_pandas: Any = pd


def _seekable_binary(file: IO[Any]) -> IO[Any]:
    """pyarrow needs random access; targets already hand over seekable streams, bare callers may not."""
    return file if file.seekable() else io.BytesIO(file.read())


class CsvFileProcessorPandas(FileProcessor):
    """`.csv` / `.tsv` for pandas, written as gokart writes them (no index column)."""

    expected_types = "pd.DataFrame or pd.Series"

    def __init__(self, sep: str = ",", encoding: str = "utf-8") -> None:
        self._sep = sep
        self._encoding = encoding

    def format(self) -> StreamFormat:
        return Text(self._encoding)

    def check(self, obj: object) -> None:
        if not isinstance(obj, pd.DataFrame | pd.Series):
            raise self._reject(obj)

    def load(self, file: IO[Any]) -> pd.DataFrame:
        return self._read(file, self._encoding)

    def _stored_damage(self, raw: BinaryIO) -> str | None:
        if self._replaced(CsvFileProcessorPandas, "dump", "format"):
            return None
        return csv_rule(self._sep, self._encoding).damage(raw)

    def _load_raw(self, raw: BinaryIO) -> Any:
        # UTF-8 bytes straight to pandas' C parser (a one-character sep keeps it on that parser), with
        # text mode's newline translation kept; other encodings go through text mode as before
        if len(self._sep) != 1 or not is_utf8(self._encoding):
            return super()._load_raw(raw)
        if self._replaced(CsvFileProcessorPandas, "load", "format"):
            return super()._load_raw(raw)
        path = reopened_path(raw)
        if path is not None:  # pandas parses a path on two threads; see _csv_returns for why it is safe
            frame = self._read(path, "utf-8")
            if not has_carriage_return(frame):
                return frame
        return self._read(UniversalNewlines(raw), "utf-8")

    def _read(self, source: Any, encoding: str) -> pd.DataFrame:
        try:
            return pd.read_csv(source, sep=self._sep, encoding=encoding)
        except EmptyDataError:
            return pd.DataFrame()

    def dump(self, obj: Any, file: IO[Any]) -> None:
        self.check(obj)
        obj.to_csv(file, mode="wt", index=False, sep=self._sep, header=True)


class JsonFileProcessorPandas(FileProcessor):
    """`.json` for pandas frames and series (`orient="records"`: one record per line)."""

    expected_types = "pd.DataFrame or pd.Series or dict"

    def __init__(self, orient: str | None = None) -> None:
        self._orient = orient

    def check(self, obj: object) -> None:
        if not isinstance(obj, pd.DataFrame | pd.Series | dict):
            raise self._reject(obj)

    def _stored_damage(self, raw: BinaryIO) -> str | None:
        # ndjson may be empty: polars writes an empty frame as no bytes at all
        if self._orient == "records" or self._replaced(JsonFileProcessorPandas, "dump", "format"):
            return None
        return JSON_RULE.damage(raw)

    def load(self, file: IO[Any]) -> pd.DataFrame:
        content = file.read()
        if not content.strip():
            return pd.DataFrame()
        lines = self._orient == "records"
        return _pandas.read_json(io.BytesIO(content), orient=self._orient, lines=lines)  # type: ignore[no-any-return]

    def dump(self, obj: Any, file: IO[Any]) -> None:
        self.check(obj)
        if isinstance(obj, dict):
            obj = pd.DataFrame.from_dict(obj)
        obj.to_json(file, orient=self._orient, lines=self._orient == "records")


class ParquetFileProcessorPandas(FileProcessor):
    """`.parquet` for pandas, through pyarrow (the index is not stored, as in gokart)."""

    expected_types = "pd.DataFrame"

    def __init__(self, engine: str = "pyarrow", compression: str | None = None) -> None:
        self._engine = engine
        self._compression = compression

    def check(self, obj: object) -> None:
        if not isinstance(obj, pd.DataFrame):
            raise self._reject(obj)

    def load(self, file: IO[Any]) -> pd.DataFrame:
        return _pandas.read_parquet(_seekable_binary(file), engine=self._engine)  # type: ignore[no-any-return]

    def _load_raw(self, raw: BinaryIO) -> Any:
        # a local file is read by pyarrow in C++ through a handle of its own (the same file, checked)
        if self._engine != "pyarrow" or self._replaced(ParquetFileProcessorPandas, "load", "format"):
            return super()._load_raw(raw)
        native = native_local_file(raw)
        if native is None:
            return super()._load_raw(raw)
        with native:
            return _pandas.read_parquet(native, engine="pyarrow")

    def dump(self, obj: Any, file: IO[Any]) -> None:
        self.check(obj)
        obj.to_parquet(file, index=False, engine=self._engine, compression=self._compression)


class FeatherFileProcessorPandas(FileProcessor):
    """Feather (Arrow IPC). With `store_index_in_feather` the index travels in a prefixed column."""

    INDEX_COLUMN_PREFIX = "__feather_gokart_index__"
    expected_types = "pd.DataFrame"

    def __init__(self, store_index_in_feather: bool) -> None:
        self._store_index_in_feather = store_index_in_feather

    def check(self, obj: object) -> None:
        if not isinstance(obj, pd.DataFrame):
            raise self._reject(obj)

    def load(self, file: IO[Any]) -> pd.DataFrame:
        frame = pd.read_feather(_seekable_binary(file))
        if not self._store_index_in_feather:
            return frame
        index_columns = [c for c in frame.columns if str(c).startswith(self.INDEX_COLUMN_PREFIX)]
        if not index_columns:
            return frame
        column = index_columns[-1]
        name = str(column)[len(self.INDEX_COLUMN_PREFIX) :]
        # the frame is ours: no copy of the index values, and the column deleted in place (no new frame)
        values = frame[column].to_numpy()
        frame.index = pd.Index(values, name=None if name == "None" else name, copy=False)
        del frame[column]
        return frame

    def dump(self, obj: Any, file: IO[Any]) -> None:
        self.check(obj)
        if not self._store_index_in_feather:
            obj.to_feather(file)
            return
        column = f"{self.INDEX_COLUMN_PREFIX}{obj.index.name}"
        if column in obj.columns:
            raise FeatherIndexError(
                f"column {column!r} already exists and would be overwritten by the stored index;"
                " set store_index_in_feather=False to write this DataFrame"
            )
        if obj.index.name == "None":
            raise FeatherIndexError(
                "an index named 'None' cannot be stored in feather (the name is reserved)"
            )
        frame = obj.copy(deep=False)
        frame[column] = obj.index
        frame.reset_index(drop=True).to_feather(file)
