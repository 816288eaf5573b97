"""DataFrame formats with polars (optional extra), eager (`polars`) or lazy (`polars-lazy`)."""

from __future__ import annotations

import importlib
import importlib.util
import io
import os
from collections.abc import Callable
from typing import IO, Any, BinaryIO

from kart_storage._errors import MissingExtraError
from kart_storage._formats import StreamFormat, Text

from ._tail_checks import JSON_RULE, csv_rule
from .base import FileProcessor

_MISSING = (
    "polars is required for polars-based dataframe types ('polars' or 'polars-lazy'). "
    "Install with: pip install polars"
)


def _polars() -> Any:
    try:
        return importlib.import_module("polars")
    except ImportError as exc:
        raise MissingExtraError(_MISSING) from exc


def has_polars() -> bool:
    """Whether polars is installed, found without importing it (polars costs ~18 MB of RSS, paid only
    by processes that use a polars format)."""
    try:
        return importlib.util.find_spec("polars") is not None
    except (ImportError, ValueError):  # a broken parent package, or a module without a spec
        return False


def _local_path(file: IO[Any]) -> str | None:
    """A real file behind the stream that outlives the call (lazy scans read it later), if any."""
    name = getattr(file, "name", None)
    if isinstance(name, str) and os.path.isfile(name):
        return name
    return None


def _is_empty_error(exc: Exception) -> bool:
    message = str(exc).lower()
    return "empty" in message or "no data" in message


class _PolarsProcessor(FileProcessor):
    expected_types = "pl.DataFrame or pl.LazyFrame"

    def __init__(self, lazy: bool) -> None:
        self._pl = _polars()
        self._lazy = lazy

    def check(self, obj: object) -> None:
        if not isinstance(obj, self._pl.DataFrame | self._pl.LazyFrame):
            raise self._reject(obj)

    def _collected(self, obj: Any) -> Any:
        self.check(obj)
        return obj.collect() if isinstance(obj, self._pl.LazyFrame) else obj

    def _result(self, frame: Any) -> Any:
        return frame.lazy() if self._lazy else frame

    def _empty(self) -> Any:
        return self._pl.LazyFrame() if self._lazy else self._pl.DataFrame()

    def _scan_or_read(self, file: IO[Any], scan: Callable[[str], Any], read: Callable[[Any], Any]) -> Any:
        """Lazy frames scan a local file in place; otherwise read from a seekable stream."""
        path = _local_path(file)
        if self._lazy and path is not None:
            return scan(path)
        return self._result(read(file if file.seekable() else io.BytesIO(file.read())))


class CsvFileProcessorPolars(_PolarsProcessor):
    """`.csv` / `.tsv` for polars frames (eager or lazy)."""

    def __init__(self, sep: str = ",", encoding: str = "utf-8", lazy: bool = False) -> None:
        super().__init__(lazy)
        self._sep = sep
        self._encoding = encoding

    def format(self) -> StreamFormat:
        return Text(self._encoding)

    def _stored_damage(self, raw: BinaryIO) -> str | None:
        if self._replaced(CsvFileProcessorPolars, "dump", "format"):
            return None
        return csv_rule(self._sep, self._encoding).damage(raw)

    def load(self, file: IO[Any]) -> Any:
        encoding = "utf8" if self._encoding.lower() in ("utf-8", "utf8") else "utf8-lossy"
        try:
            path = _local_path(file)
            if self._lazy and path is not None and encoding == "utf8":
                return self._pl.scan_csv(path, separator=self._sep, encoding=encoding)
            binary = getattr(file, "buffer", None)
            # with UTF-8, skip the text layer: polars parses the bytes itself
            data = binary.read() if encoding == "utf8" and binary is not None else file.read()
            if isinstance(data, str):  # the text layer already decoded it (any encoding): hand over UTF-8
                data, encoding = data.encode("utf-8"), "utf8"
            return self._result(self._pl.read_csv(io.BytesIO(data), separator=self._sep, encoding=encoding))
        except Exception as exc:
            if _is_empty_error(exc):
                return self._empty()
            raise

    def dump(self, obj: Any, file: IO[Any]) -> None:
        frame = self._collected(obj)
        binary = getattr(file, "buffer", None)
        if binary is not None and self._encoding.lower() in ("utf-8", "utf8"):
            frame.write_csv(binary, separator=self._sep, include_header=True)
        else:  # polars writes UTF-8 only: let the text layer encode
            file.write(frame.write_csv(None, separator=self._sep, include_header=True))


class JsonFileProcessorPolars(_PolarsProcessor):
    """`.json` / `.ndjson` for polars frames (eager or lazy)."""

    def __init__(self, orient: str | None = None, lazy: bool = False) -> None:
        super().__init__(lazy)
        self._orient = orient

    def _stored_damage(self, raw: BinaryIO) -> str | None:
        # ndjson may be empty: an empty frame is written as no bytes at all
        if self._orient == "records" or self._replaced(JsonFileProcessorPolars, "dump", "format"):
            return None
        return JSON_RULE.damage(raw)

    def load(self, file: IO[Any]) -> Any:
        data = io.BytesIO(file.read())
        try:
            if self._orient == "records":
                return self._result(self._pl.read_ndjson(data))
            return self._result(self._pl.read_json(data))
        except Exception as exc:
            if _is_empty_error(exc):
                return self._empty()
            raise

    def dump(self, obj: Any, file: IO[Any]) -> None:
        frame = self._collected(obj)
        if self._orient == "records":
            frame.write_ndjson(file)
        else:
            frame.write_json(file)


def _read_via_pyarrow(
    pl: Any, file: Any, module: str, function: str, polars_read: Callable[[Any], Any]
) -> Any:
    """An eager parquet/feather read through pyarrow when it is installed. polars 2.1's own readers
    panic on some damaged files, and a panic in their async executor aborts the whole process; pyarrow
    raises an error instead, which becomes CorruptTargetError. (Lazy loads of local files still scan
    with polars: their reading happens at `collect()`, in the caller's hands.)"""
    if importlib.util.find_spec("pyarrow") is None:
        return polars_read(file)
    # From the bytes of the handle kart opened (and verified), in memory: pyarrow reading a Python file
    # object can leave an I/O thread behind after a decoding error, which aborts the process at exit.
    source = importlib.import_module("pyarrow").BufferReader(file.read())
    table = getattr(importlib.import_module(module), function)(source)
    _check_handover(table)
    return pl.from_arrow(table)


def _check_handover(table: Any) -> None:
    """Refuse (ValueError, so CorruptTargetError) what pyarrow reads but polars' import would panic on:
    a table that fails pyarrow's full validation, or names and metadata that are not UTF-8."""
    table.validate(full=True)
    texts: list[bytes] = [name.encode("utf-8", "surrogateescape") for name in table.schema.names]
    for metadata in [table.schema.metadata, *(field.metadata for field in table.schema)]:
        for key, value in (metadata or {}).items():
            texts += [key, value]
    for text in texts:
        text.decode("utf-8")


class ParquetFileProcessorPolars(_PolarsProcessor):
    """`.parquet` for polars frames (eager or lazy: lazy loads scan)."""

    def __init__(self, engine: str = "pyarrow", compression: str | None = None, lazy: bool = False) -> None:
        super().__init__(lazy)
        self._engine = engine
        self._compression = compression

    def load(self, file: IO[Any]) -> Any:
        return self._scan_or_read(file, self._pl.scan_parquet, self._read)

    def _read(self, file: Any) -> Any:
        return _read_via_pyarrow(self._pl, file, "pyarrow.parquet", "read_table", self._pl.read_parquet)

    def dump(self, obj: Any, file: IO[Any]) -> None:
        self._collected(obj).write_parquet(file, compression=self._compression or "zstd")


class FeatherFileProcessorPolars(_PolarsProcessor):
    """`.feather` for polars frames (eager or lazy)."""

    def __init__(self, store_index_in_feather: bool, lazy: bool = False) -> None:
        super().__init__(lazy)
        self._store_index_in_feather = store_index_in_feather

    def load(self, file: IO[Any]) -> Any:
        return self._scan_or_read(file, self._pl.scan_ipc, self._read)

    def _read(self, file: Any) -> Any:
        return _read_via_pyarrow(self._pl, file, "pyarrow.feather", "read_table", self._pl.read_ipc)

    def dump(self, obj: Any, file: IO[Any]) -> None:
        self._collected(obj).write_ipc(file)
