"""Which table an upload holds (long, wide or series), decided from its column names."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from app.telemetry.problems import MAX_COLUMNS, MAX_KEY_LENGTH, bad_file

TIME_NAMES = ("t", "time_bin", "timestamp")
LONG_NAMES = ("time_bin", "component_id", "measure", "value")


@dataclass
class Layout:
    """The shape and the roles of the columns that matter."""

    shape: str
    time_column: str
    value_columns: list[str]
    measure_column: str | None = None
    component_column: str | None = None

    @property
    def needed(self) -> list[str]:
        """The columns read from the file, time first."""
        extra = [self.measure_column, self.component_column] if self.shape == "long" else []
        return [self.time_column, *extra, *self.value_columns]

    def series_key(self, column: str) -> tuple[str, str]:
        """(measure, component_id) of a wide or series value column."""
        if self.shape == "series":
            return ("value", "VALUE")
        return (column, column.upper())


@dataclass
class Chunk:
    """One batch of rows: times (epoch ms or bin index), float values, and the long table's keys."""

    offset: int
    time: np.ndarray
    values: dict[str, np.ndarray]
    measure: pa.Array | None = None
    component: pa.Array | None = None
    rows: int = field(init=False)

    def __post_init__(self) -> None:
        self.rows = len(self.time)


def _fold(name: str) -> str:
    return name.strip().lower()


def check_names(names: list[str]) -> None:
    """Refuse too many columns, nameless columns and duplicate names (case-insensitive)."""
    if len(names) > MAX_COLUMNS:
        raise bad_file(f"the table has {len(names)} columns; at most {MAX_COLUMNS} are allowed")
    seen: dict[str, int] = {}
    for index, name in enumerate(names, start=1):
        if not name.strip():
            raise bad_file(f"column {index} has no name")
        if len(name) > MAX_KEY_LENGTH:  # the name becomes a series id, like long-table keys
            raise bad_file(f"column {index} has a name longer than {MAX_KEY_LENGTH} characters")
        folded = _fold(name)
        if folded in seen:
            raise bad_file(f"duplicate column name '{name}' (columns {seen[folded]} and {index})")
        seen[folded] = index


def detect_layout(names: list[str]) -> Layout:
    """The layout for these column names, or a 400 saying what is missing."""
    check_names(names)
    folded = {_fold(name): name for name in names}
    if all(key in folded for key in LONG_NAMES):
        return Layout("long", folded["time_bin"], [folded["value"]], folded["measure"], folded["component_id"])
    times = [name for name in names if _fold(name) in TIME_NAMES]
    if not times:
        raise bad_file("no time column: expected a column named t, time_bin or timestamp "
                       "(or the long table time_bin, component_id, measure, value)")
    if len(times) > 1:
        raise bad_file(f"more than one time column: {', '.join(times)}")
    values = [name for name in names if name != times[0]]
    if not values:
        raise bad_file("no numeric column: the table holds only the time column")
    is_series = sorted(_fold(name) for name in names) == ["t", "value"]
    return Layout("series" if is_series else "wide", times[0], values)
