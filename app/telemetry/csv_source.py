"""CSV uploads read with pyarrow's streaming reader (bounded memory), bad rows located for the message."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from app.errors import BadRequest
from app.telemetry.problems import BLOCK_SIZE, at, bad_file, shorten
from app.telemetry.shape import Chunk, detect_layout
from app.telemetry.timecol import time_kind, time_values

Opener = Callable[[], BinaryIO]
_RAGGED = re.compile(r"Expected (\d+) columns, got (\d+)")
_CONVERSION = re.compile(r"In CSV column #(\d+): (?:Row #(\d+): )?CSV conversion error to (\S+): invalid value '(.*)'",
                         re.S)
_NUMBER = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
_NUMERIC = (pa.types.is_integer, pa.types.is_floating, pa.types.is_null)


class CsvSource:
    """A CSV upload: its layout, catalog columns and a batch iterator."""

    format = "csv"

    def __init__(self, opener: Opener) -> None:
        self._opener = opener
        schema, first = self._probe()
        self.names = schema.names
        self.layout = detect_layout(self.names)
        self.time_kind = time_kind(schema.field(self.layout.time_column).type, self.layout.time_column)
        if self.layout.shape != "long":
            _require_numeric(first, self.layout.value_columns)
        self.columns = [{"name": name, "type": self._logical_type(name)} for name in self.names]

    def _read_options(self) -> tuple:
        return (pacsv.ReadOptions(block_size=BLOCK_SIZE, use_threads=False),
                pacsv.ParseOptions(newlines_in_values=True))

    def _probe(self) -> tuple[pa.Schema, pa.RecordBatch | None]:
        """The inferred schema and the first block (None for a header-only file)."""
        read, parse = self._read_options()
        with self._opener() as handle:
            try:
                reader = pacsv.open_csv(handle, read_options=read, parse_options=parse)
                first = next(_batches(reader), None)
                reader.close()
                return reader.schema, first
            except pa.ArrowException as exc:
                raise self._explain(exc, 0) from None

    def _logical_type(self, name: str) -> str:
        if name == self.layout.time_column:
            return "integer" if self.time_kind == "index" else "timestamp"
        return "number" if name in self.layout.value_columns else "string"

    def _column_types(self) -> dict[str, pa.DataType]:
        types = {name: pa.float64() for name in self.layout.value_columns}
        types[self.layout.time_column] = pa.int64() if self.time_kind == "index" else pa.string()
        for name in (self.layout.measure_column, self.layout.component_column):
            if name:
                types[name] = pa.string()
        return types

    def chunks(self) -> Iterator[Chunk]:
        """Batches of rows, converted, with their row offsets."""
        read, parse = self._read_options()
        convert = pacsv.ConvertOptions(column_types=self._column_types(), include_columns=self.layout.needed)
        offset = 0
        with self._opener() as handle:
            try:
                reader = pacsv.open_csv(handle, read_options=read, parse_options=parse, convert_options=convert)
                with closing(reader):
                    for batch in _batches(reader):
                        yield self._chunk(batch, offset)
                        offset += batch.num_rows
            except pa.ArrowException as exc:
                raise self._explain(exc, offset) from None

    def _chunk(self, batch: pa.RecordBatch, offset: int) -> Chunk:
        layout = self.layout
        time = time_values(batch.column(layout.time_column), self.time_kind, offset, layout.time_column)
        values = {name: batch.column(name).to_numpy(zero_copy_only=False) for name in layout.value_columns}
        if layout.shape != "long":
            return Chunk(offset, time, values)
        return Chunk(offset, time, values, batch.column(layout.measure_column), batch.column(layout.component_column))

    def close(self) -> None:
        """Nothing held open between reads."""

    def __enter__(self) -> CsvSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _explain(self, exc: Exception, offset: int) -> BadRequest:
        """Turn a pyarrow CSV error into a 400 naming the row and column."""
        message = str(exc)
        if ragged := _RAGGED.search(message):
            expected, found = int(ragged.group(1)), int(ragged.group(2))
            row = locate_row(self._opener, lambda record: len(record) != expected, offset + 1)
            return bad_file(f"{at(row, None)}ragged row: expected {expected} fields, found {found}")
        if conversion := _CONVERSION.search(message):
            return self._conversion_error(conversion, offset)
        if "straddl" in message:
            return bad_file(f"a row is longer than {BLOCK_SIZE // 1024} KB, or a quote is never closed")
        if "Empty CSV file" in message:
            return self._no_header()
        return bad_file(f"cannot read the CSV: {message[:300]}")

    def _no_header(self) -> BadRequest:
        """pyarrow says "empty" both for a blank file and for a header line longer than one block."""
        with self._opener() as handle:
            head = handle.read(BLOCK_SIZE)
        if not head.strip():
            return bad_file("the file is empty")
        return bad_file(f"the header line is longer than {BLOCK_SIZE // 1024} KB")

    def _conversion_error(self, match: re.Match, offset: int) -> BadRequest:
        index, line, target, value = int(match.group(1)), match.group(2), match.group(3), match.group(4)
        column = self.names[index] if index < len(self.names) else None
        row = locate_row(self._opener, lambda record: len(record) > index and record[index] == value, offset + 1)
        row = row if row is not None or line is None else int(line) - 1
        wanted = "an integer bin index" if target.startswith("int") else "a number"
        return bad_file(f"{at(row, column)}{shorten(value)} is not {wanted}")


def _batches(reader) -> Iterator[pa.RecordBatch]:
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return


def _looks_numeric(column: pa.Array) -> bool:
    if any(test(column.type) for test in _NUMERIC):
        return True
    return pa.types.is_string(column.type) and pc.any(pc.match_substring_regex(column, _NUMBER)).as_py() is True


def _require_numeric(first: pa.RecordBatch | None, columns: list[str]) -> None:
    """At least one value column must hold a number in the first block (else: no numeric column)."""
    if first is not None and first.num_rows and not any(_looks_numeric(first.column(name)) for name in columns):
        listed = ", ".join(columns[:5]) + (", ..." if len(columns) > 5 else "")
        raise bad_file(f"no numeric column: {listed} hold text")


def locate_row(opener: Opener, predicate: Callable[[list[str]], bool], start: int = 1) -> int | None:
    """The 1-based data row (header excluded, blank lines skipped) of the first record matching `predicate`."""
    with opener() as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        reader = csv.reader(text)
        row = 0
        try:
            next(reader, None)
            for record in reader:
                if not record:
                    continue
                row += 1
                if row >= start and predicate(record):
                    return row
        except (csv.Error, UnicodeDecodeError):
            return None
    return None
