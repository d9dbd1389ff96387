"""Time columns: to epoch milliseconds (or bin indices), plus range and bin-width statistics."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from app.telemetry.problems import at, bad_file, shorten
from app.timefmt import iso, parse_iso

EPOCH = datetime(1970, 1, 1)
MS = timedelta(milliseconds=1)
MAX_GAPS = 1000
MIN_MS = (datetime(1, 1, 1) - EPOCH) // MS
MAX_MS = (datetime(9999, 12, 31, 23, 59, 59) - EPOCH) // MS
_STRING_TARGETS = (pa.timestamp("ns", tz="UTC"), pa.timestamp("ns"))


def time_kind(arrow_type: pa.DataType, column: str) -> str:
    """'index' for integer bin indices, 'timestamp' for times (or text to parse as times)."""
    if pa.types.is_integer(arrow_type):
        return "index"
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    if (pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type) or pa.types.is_string(arrow_type)
            or pa.types.is_large_string(arrow_type) or pa.types.is_null(arrow_type)):
        return "timestamp"
    raise bad_file(f"{at(None, column)}type {arrow_type} is neither timestamps nor integer bin indices")


def time_values(arr: pa.Array, kind: str, offset: int, column: str) -> np.ndarray:
    """The column as int64: bin indices, or epoch milliseconds (naive times are taken as UTC)."""
    if arr.null_count:
        row = offset + pc.index(pc.is_null(arr), True).as_py() + 1
        raise bad_file(f"{at(row, column)}missing time")
    if kind == "index":
        return arr.cast(pa.int64()).to_numpy(zero_copy_only=False)
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_date(arr.type):
        arr = arr.cast(pa.timestamp("ms"))
    if pa.types.is_timestamp(arr.type):
        millis = pc.cast(arr, pa.timestamp("ms", tz=arr.type.tz), safe=False).cast(pa.int64()).to_numpy()
    else:
        millis = _parse_text(arr.cast(pa.string()), offset, column)
    return _in_range(millis, offset, column)


def _in_range(millis: np.ndarray, offset: int, column: str) -> np.ndarray:
    outside = (millis < MIN_MS) | (millis > MAX_MS)
    if outside.any():
        row = offset + int(np.argmax(outside)) + 1
        raise bad_file(f"{at(row, column)}timestamp outside the years 1-9999")
    return millis


def _parse_text(arr: pa.Array, offset: int, column: str) -> np.ndarray:
    for target in _STRING_TARGETS:
        try:
            return pc.cast(arr, target).cast(pa.int64()).to_numpy() // 1_000_000
        except pa.ArrowInvalid:
            continue
    return _parse_slowly(arr.to_pylist(), offset, column)


def _parse_slowly(texts: list[str], offset: int, column: str) -> np.ndarray:
    """Value by value (mixed zones, 7 fractional digits, padding); reports the first bad row."""
    out = np.empty(len(texts), dtype=np.int64)
    for index, text in enumerate(texts):
        parsed = parse_iso(text.strip())
        if parsed is None:
            row = offset + index + 1
            if not text.strip():
                raise bad_file(f"{at(row, column)}missing time")
            raise bad_file(f"{at(row, column)}cannot parse {shorten(text)} as a timestamp "
                           "(use ISO 8601, e.g. 2024-01-01T00:00:00Z)")
        out[index] = (parsed - EPOCH) // MS
    return out


class TimeStats:
    """Running min/max of the time column and counts of the gaps between consecutive distinct times."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.low: int | None = None
        self.high: int | None = None
        self._last: int | None = None
        self._gaps: Counter[int] = Counter()

    def add(self, times: np.ndarray) -> None:
        """Fold one batch of times in."""
        if not len(times):
            return
        distinct = np.unique(times)
        low, high = int(distinct[0]), int(distinct[-1])
        self.low = low if self.low is None else min(self.low, low)
        self.high = high if self.high is None else max(self.high, high)
        if self._last is not None and low > self._last:
            distinct = np.concatenate(([self._last], distinct))
        gaps, counts = np.unique(np.diff(distinct), return_counts=True)
        for gap, count in zip(gaps.tolist(), counts.tolist(), strict=True):
            if gap > 0 and (gap in self._gaps or len(self._gaps) < MAX_GAPS):
                self._gaps[gap] += count
        self._last = high

    def time_range(self) -> dict | None:
        """{"start", "end"} as ISO-Z for timestamps; None for bin indices or no rows."""
        if self.kind != "timestamp" or self.low is None:
            return None
        return {"start": _iso_ms(self.low), "end": _iso_ms(self.high)}

    def bin_minutes(self) -> int | float | None:
        """The most common gap between consecutive times, in minutes; None for bin indices."""
        if self.kind != "timestamp" or not self._gaps:
            return None
        gap = max(self._gaps.items(), key=lambda item: (item[1], -item[0]))[0]
        minutes = gap / 60_000
        return int(minutes) if minutes.is_integer() else round(minutes, 6)


def _iso_ms(ms: int) -> str:
    return iso(EPOCH + ms * MS)
