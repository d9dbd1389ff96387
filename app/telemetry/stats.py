"""Per-series statistics (points, min, max, mean) folded in batch by batch."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from app.telemetry.problems import MAX_KEY_LENGTH, MAX_SERIES, at, bad_file
from app.telemetry.shape import Chunk, Layout


class _Acc:
    """Running count, min, max, sum and last of the finite values of one series."""

    __slots__ = ("count", "low", "high", "total", "last")

    def __init__(self) -> None:
        self.count, self.low, self.high, self.total, self.last = 0, math.inf, -math.inf, 0.0, None

    def merge(self, count: int, low, high, total, last=None) -> None:
        if not count:
            return
        self.count += count
        self.low, self.high = min(self.low, low), max(self.high, high)
        self.total += total
        self.last = last

    def summary(self) -> dict:
        if not self.count:
            return {"points": 0, "min": None, "max": None, "mean": None, "sum": None, "last": None}
        mean = self.total / self.count
        return {"points": self.count, "min": self.low, "max": self.high,
                "mean": mean if math.isfinite(mean) else None,
                "sum": self.total if math.isfinite(self.total) else None, "last": self.last}


def check_finite(values: np.ndarray, offset: int, column: str) -> None:
    """Refuse infinities (NaN and empty cells count as missing points)."""
    infinite = np.isinf(values)
    if infinite.any():
        row = offset + int(np.argmax(infinite)) + 1
        raise bad_file(f"{at(row, column)}infinite value")


class SeriesStats:
    """Statistics of every series of an upload, keyed by (measure, component_id) in first-seen order."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.series: dict[tuple[str, str], _Acc] = {}
        if layout.shape != "long":
            self.series = {layout.series_key(column): _Acc() for column in layout.value_columns}

    def add(self, chunk: Chunk) -> None:
        """Fold one batch in."""
        for column, values in chunk.values.items():
            check_finite(values, chunk.offset, column)
        if self.layout.shape == "long":
            self._add_long(chunk)
            return
        for column, values in chunk.values.items():
            valid = values[~np.isnan(values)]
            if len(valid):
                self.series[self.layout.series_key(column)].merge(
                    len(valid), float(valid.min()), float(valid.max()), float(valid.sum()), float(valid[-1]))

    def _add_long(self, chunk: Chunk) -> None:
        check_keys(chunk.measure, chunk.offset, self.layout.measure_column)
        check_keys(chunk.component, chunk.offset, self.layout.component_column)
        values = pa.array(chunk.values[self.layout.value_columns[0]], from_pandas=True)
        table = pa.table({"m": chunk.measure, "c": chunk.component, "v": values})
        grouped = table.group_by(["m", "c"], use_threads=False).aggregate(
            [("v", "count"), ("v", "min"), ("v", "max"), ("v", "sum"), ("v", "last")])
        names = ("m", "c", "v_count", "v_min", "v_max", "v_sum", "v_last")
        rows = zip(*(grouped.column(name).to_pylist() for name in names), strict=True)
        for measure, component, count, low, high, total, last in rows:
            self._series_for((measure, component)).merge(count, low, high, total, last)

    def _series_for(self, key: tuple[str, str]) -> _Acc:
        acc = self.series.get(key)
        if acc is None:
            if len(self.series) >= MAX_SERIES:
                raise bad_file(f"the table holds more than {MAX_SERIES} series")
            acc = self.series[key] = _Acc()
        return acc

    def catalog(self) -> list[dict]:
        """The catalog.json `series` entries."""
        return [{"id": f"{measure}@{component}", "measure": measure, "component_id": component, **acc.summary()}
                for (measure, component), acc in self.series.items()]


def check_keys(keys: pa.Array, offset: int, column: str) -> None:
    """Long-table measure/component_id cells must be present, non-blank and at most 200 characters."""
    _refuse_where(pc.is_null(keys), offset, column, "empty value")
    _refuse_where(pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(keys)), 0), offset, column, "empty value")
    _refuse_where(pc.greater(pc.utf8_length(keys), MAX_KEY_LENGTH), offset, column,
                  f"longer than {MAX_KEY_LENGTH} characters")


def _refuse_where(mask: pa.Array, offset: int, column: str, problem: str) -> None:
    if pc.any(mask).as_py():
        row = offset + pc.index(mask, True).as_py() + 1
        raise bad_file(f"{at(row, column)}{problem}")
