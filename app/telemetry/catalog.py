"""Read an upload batch by batch and build its catalog.json document."""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from app.telemetry.csv_source import CsvSource
from app.telemetry.parquet_source import ParquetSource
from app.telemetry.problems import bad_file
from app.telemetry.stats import SeriesStats
from app.telemetry.timecol import TimeStats

DATA_FILES = {"csv": "data.csv", "parquet": "data.parquet"}


def open_source(opener: Callable[[], BinaryIO], fmt: str) -> CsvSource | ParquetSource:
    """The reader for a data file of format `fmt` ("csv" or "parquet")."""
    if fmt == "parquet":
        return ParquetSource(opener)
    if fmt == "csv":
        return CsvSource(opener)
    raise ValueError(f"unknown telemetry format: {fmt!r}")


def build_catalog(opener: Callable[[], BinaryIO], fmt: str) -> dict:
    """Inspect the whole file in bounded memory and return the catalog.json document."""
    with open_source(opener, fmt) as source:
        layout = source.layout
        series = SeriesStats(layout)
        times = TimeStats(source.time_kind)
        rows = 0
        for chunk in source.chunks():
            series.add(chunk)
            times.add(chunk.time)
            rows += chunk.rows
        if rows == 0:
            raise bad_file("the table has a header but no data rows")
        return {
            "format": fmt,
            "shape": layout.shape,
            "data_file": DATA_FILES[fmt],
            "rows": rows,
            "columns": source.columns,
            "time_column": layout.time_column,
            "series": series.catalog(),
            "time_range": times.time_range(),
            "bin_minutes": times.bin_minutes(),
        }
