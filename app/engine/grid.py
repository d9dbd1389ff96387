"""The model's time grid: bin count, bin width (binMinutes, or binSize + binUnit) and start time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.errors import ModelInvalid
from app.runfolder import UNIT_MINUTES, unit_minutes

MAX_BINS = 10_000
MAX_SPAN_MINUTES = 1000 * 366 * 1440


@dataclass(frozen=True)
class Grid:
    """The time grid: bin count, bin width and optional start time."""

    bins: int
    bin_minutes: int
    bin_size: int | None = None
    bin_unit: str | None = None
    start_time_utc: datetime | None = None

    def _width(self) -> dict:
        if self.bin_unit is not None:
            return {"binSize": self.bin_size, "binUnit": self.bin_unit}
        return {"binMinutes": self.bin_minutes}

    def to_dict(self) -> dict:
        """The grid in FlowTime shape as written in the spec (plus startTimeUtc when set)."""
        out = {"bins": self.bins, **self._width()}
        if self.start_time_utc is not None:
            out["startTimeUtc"] = self.start_time_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        return out

    def run_grid(self) -> dict:
        """The grid object of run.json."""
        return {"bins": self.bins, **self._width(), "timezone": "UTC", "align": "left"}

    def index_grid(self) -> dict:
        """The grid object of series/index.json."""
        return {"bins": self.bins, **self._width(), "timezone": "UTC"}


def _bad(message: str, field: str) -> ModelInvalid:
    return ModelInvalid(message, details={field: [message]})


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _positive_int(grid: dict, name: str) -> int:
    value = grid.get(name)
    if not _is_int(value) or value < 1:
        raise _bad(f"grid.{name} must be a positive integer", field=f"grid.{name}")
    return value


def _start_time(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        raise _bad("grid.startTimeUtc must be an ISO-8601 date-time", field="grid.startTimeUtc")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+14:00: no UTC instant in datetime's range
        raise _bad("grid.startTimeUtc is outside the years 1 to 9999 in UTC", field="grid.startTimeUtc") from None


def parse_grid(raw) -> Grid:
    """Validate the grid section."""
    if not isinstance(raw, dict):
        raise _bad("grid is required and must be a mapping", field="grid")
    bins = raw.get("bins")
    if not _is_int(bins) or not 1 <= bins <= MAX_BINS:
        raise _bad(f"grid.bins must be an integer between 1 and {MAX_BINS}", field="grid.bins")
    size = unit = None
    if "binMinutes" in raw and ("binSize" in raw or "binUnit" in raw):
        raise _bad("grid: use either binMinutes or binSize/binUnit, not both", field="grid")
    if "binMinutes" in raw:
        minutes = _positive_int(raw, "binMinutes")
    elif "binSize" in raw or "binUnit" in raw:
        size = _positive_int(raw, "binSize")
        unit = raw.get("binUnit")
        if not isinstance(unit, str) or unit.lower() not in UNIT_MINUTES:
            raise _bad("grid.binUnit must be one of minutes, hours, days, weeks", field="grid.binUnit")
        unit = unit.lower()
        minutes = size * unit_minutes(unit)
    else:
        raise _bad("grid needs binMinutes or binSize and binUnit", field="grid")
    if bins * minutes > MAX_SPAN_MINUTES:
        raise _bad("grid spans too much time", field="grid")
    return Grid(bins, minutes, size, unit, _start_time(raw.get("startTimeUtc")))
