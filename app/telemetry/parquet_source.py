"""Parquet uploads: the footer metadata is checked before any data is read, then row batches stream."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from app.errors import BadRequest
from app.telemetry.problems import MAX_COLUMNS, MAX_ROW_GROUPS, MAX_ROWS, at, bad_file
from app.telemetry.shape import Chunk, detect_layout
from app.telemetry.timecol import time_kind, time_values

Opener = Callable[[], BinaryIO]
MAGIC = b"PAR1"
BATCH_ROWS = 65_536
_NUMERIC = (pa.types.is_integer, pa.types.is_floating, pa.types.is_decimal)
_TEXT = (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view)


def _malformed(exc: Exception) -> BadRequest:
    return bad_file(f"malformed or truncated Parquet file: {str(exc)[:300]}")


class ParquetSource:
    """A Parquet upload: its layout, catalog columns and a batch iterator."""

    format = "parquet"

    def __init__(self, opener: Opener) -> None:
        self._handle = opener()
        try:
            self._file = self._open_checked()
            schema = self._file.schema_arrow
            self.layout = detect_layout(schema.names)
            self.time_kind = time_kind(schema.field(self.layout.time_column).type, self.layout.time_column)
            self._check_types(schema)
            self.columns = [{"name": f.name, "type": self._logical_type(f)} for f in schema]
        except (pa.ArrowException, OSError) as exc:
            self.close()
            raise _malformed(exc) from None
        except UnicodeDecodeError:
            self.close()
            raise bad_file("a column name in the Parquet schema is not valid UTF-8") from None
        except BaseException:
            self.close()
            raise

    def _open_checked(self) -> pq.ParquetFile:
        size = self._handle.seek(0, os.SEEK_END)
        if size < 12 or self._tail() != MAGIC:
            raise bad_file("malformed or truncated Parquet file: the PAR1 footer is missing")
        parquet = pq.ParquetFile(self._handle, buffer_size=1024 * 1024, pre_buffer=False,
                                 thrift_string_size_limit=16 * 1024 * 1024, thrift_container_size_limit=1_000_000)
        _check_metadata(parquet.metadata)
        return parquet

    def _tail(self) -> bytes:
        self._handle.seek(-4, os.SEEK_END)
        tail = self._handle.read(4)
        self._handle.seek(0)
        return tail

    def _check_types(self, schema: pa.Schema) -> None:
        for name in self.layout.value_columns:
            kind = schema.field(name).type
            if not any(test(kind) for test in _NUMERIC):
                raise bad_file(f"{at(None, name)}type {kind} is not numeric")
        for name in (self.layout.measure_column, self.layout.component_column):
            kind = schema.field(name).type if name else None
            if name and not any(test(kind.value_type if pa.types.is_dictionary(kind) else kind) for test in _TEXT):
                raise bad_file(f"{at(None, name)}type {kind} is not text")

    def _logical_type(self, field: pa.Field) -> str:
        if field.name == self.layout.time_column:
            return "integer" if self.time_kind == "index" else "timestamp"
        if field.name in self.layout.value_columns:
            return "number"
        if field.name in (self.layout.measure_column, self.layout.component_column):
            return "string"
        return str(field.type)

    def chunks(self) -> Iterator[Chunk]:
        """Batches of rows, converted, with their row offsets."""
        offset = 0
        try:
            batches = self._file.iter_batches(batch_size=BATCH_ROWS, columns=self.layout.needed, use_threads=False)
            for batch in batches:
                yield self._chunk(batch, offset)
                offset += batch.num_rows
        except (pa.ArrowException, OSError) as exc:
            raise _malformed(exc) from None

    def _chunk(self, batch: pa.RecordBatch, offset: int) -> Chunk:
        layout = self.layout
        _check_text(batch, offset)
        time = time_values(batch.column(layout.time_column), self.time_kind, offset, layout.time_column)
        values = {name: batch.column(name).cast(pa.float64()).to_numpy(zero_copy_only=False)
                  for name in layout.value_columns}
        if layout.shape != "long":
            return Chunk(offset, time, values)
        measure, component = (batch.column(name).cast(pa.string())
                              for name in (layout.measure_column, layout.component_column))
        return Chunk(offset, time, values, measure, component)

    def close(self) -> None:
        """Close the underlying file."""
        self._handle.close()

    def __enter__(self) -> ParquetSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _check_text(batch: pa.RecordBatch, offset: int) -> None:
    """String columns must hold UTF-8 (Parquet readers do not check): a 400 naming the column otherwise."""
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
        if any(test(kind) for test in _TEXT):
            try:
                column.validate(full=True)
            except pa.ArrowInvalid:
                raise bad_file(f"{at(None, name)}holds text that is not valid UTF-8 (rows {offset + 1} to "
                               f"{offset + batch.num_rows})") from None


def _check_metadata(metadata: pq.FileMetaData) -> None:
    """Refuse absurd declared sizes before any data page is touched."""
    if metadata.num_columns > MAX_COLUMNS:
        raise bad_file(f"the Parquet file declares {metadata.num_columns} columns; at most {MAX_COLUMNS} are allowed")
    if not 0 <= metadata.num_rows <= MAX_ROWS:
        raise bad_file(f"the Parquet file declares {metadata.num_rows} rows; at most {MAX_ROWS} are allowed")
    if metadata.num_row_groups > MAX_ROW_GROUPS:
        raise bad_file(f"the Parquet file declares {metadata.num_row_groups} row groups; "
                       f"at most {MAX_ROW_GROUPS} are allowed")
    declared = sum(metadata.row_group(index).num_rows for index in range(metadata.num_row_groups))
    if declared != metadata.num_rows:
        raise bad_file(f"malformed Parquet file: row groups hold {declared} rows but the footer declares "
                       f"{metadata.num_rows}")
