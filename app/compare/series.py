"""Series sets for Compare: a run folder's series (or any origin's) keyed by (measure, component)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from app.errors import ArtifactUnreadable, NotFound
from app.runfolder import SERIES_INDEX, bin_minutes
from app.storage.base import Storage
from app.strictjson import NotStrictJSON
from app.strictjson import loads as strict_loads

SeriesKey = tuple[str, str]
_READ = pacsv.ReadOptions(use_threads=True)
_PARSE = pacsv.ParseOptions(delimiter=",")
_CONVERT = pacsv.ConvertOptions(column_types={"t": pa.float64(), "value": pa.float64()})


@dataclass
class SeriesSet:
    """Series of one artifact keyed by (measure, component_id), with the grid they live on."""

    series: dict[SeriesKey, np.ndarray] = field(default_factory=dict)
    bin_minutes: int | None = None
    bins: int | None = None


def series_set(series_dict: dict, bin_minutes: int | None, bins: int | None = None) -> SeriesSet:
    """Build a SeriesSet from {(measure, component_id): values} of any origin (run, telemetry)."""
    series = {(str(m), str(c)): np.asarray(v, dtype=np.float64).ravel() for (m, c), v in series_dict.items()}
    if bins is None:
        bins = max((len(v) for v in series.values()), default=0)
    return SeriesSet(series=series, bin_minutes=bin_minutes, bins=bins)


def series_key(series_id: str, component_id: str | None = None) -> SeriesKey:
    """(measure, component_id) of a series id: node id before the first '@'; component or its upper case."""
    measure = series_id.split("@", 1)[0]
    return measure, component_id or measure.upper()


def _positive_int(value) -> bool:
    """Whether value is an int (not a bool) above zero."""
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _unreadable(record, message: str) -> ArtifactUnreadable:
    """An ArtifactUnreadable naming the artifact (the message names the file)."""
    return ArtifactUnreadable(f"artifact '{record.id}': {message}", details={"file": [message]})


def read_index(storage: Storage, record) -> dict:
    """The parsed `series/index.json` of a run folder; ArtifactUnreadable when missing or invalid."""
    key = f"{record.path}/{SERIES_INDEX}"
    try:
        raw = storage.read_bytes(key)
    except (NotFound, OSError):
        raise _unreadable(record, f"{SERIES_INDEX} is missing, so its series cannot be compared") from None
    try:
        doc = strict_loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, NotStrictJSON) as exc:
        raise _unreadable(record, f"{SERIES_INDEX} is not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("series", []), list):
        raise _unreadable(record, f"{SERIES_INDEX} has no series list")
    return doc


def _entry_path(record, entry, position: int) -> tuple[str, str]:
    """(series id, path inside the folder) of one index entry, refusing paths that leave the folder."""
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
        raise _unreadable(record, f"{SERIES_INDEX} series[{position}] has no id")
    path = entry.get("path") if isinstance(entry.get("path"), str) else f"series/{entry['id']}.csv"
    if path.startswith("/") or "\\" in path or ".." in path.split("/"):
        raise _unreadable(record, f"series path '{path}' leaves the artifact folder")
    return entry["id"], path


def parse_series_csv(data: bytes) -> np.ndarray:
    """Values of a `t,value` CSV as float64, ordered by t (empty cells and NaN become NaN)."""
    table = pacsv.read_csv(pa.BufferReader(data), read_options=_READ, parse_options=_PARSE,
                           convert_options=_CONVERT)
    if "value" not in table.column_names:
        raise ValueError("no 'value' column")
    values = table.column("value").to_numpy().astype(np.float64, copy=False)
    if "t" in table.column_names and len(values) > 1:
        t = table.column("t").to_numpy()
        if not np.all(t[1:] >= t[:-1]):
            values = values[np.argsort(t, kind="stable")]
    return values


def _read_series(storage: Storage, record, path: str) -> np.ndarray:
    """Read and parse one series CSV of the artifact folder."""
    try:
        data = storage.read_bytes(f"{record.path}/{path}")
    except (NotFound, OSError):
        raise _unreadable(record, f"series file '{path}' is missing") from None
    try:
        return parse_series_csv(data)
    except (pa.ArrowInvalid, ValueError) as exc:
        raise _unreadable(record, f"series file '{path}' is not a t,value CSV ({exc})") from None


def load_run_series(storage: Storage, record) -> SeriesSet:
    """Read every series listed in a run's `series/index.json` (first of duplicate keys wins)."""
    index = read_index(storage, record)
    series: dict[SeriesKey, np.ndarray] = {}
    for position, entry in enumerate(index.get("series") or []):
        sid, path = _entry_path(record, entry, position)
        component = entry.get("componentId") if isinstance(entry.get("componentId"), str) else None
        key = series_key(sid, component)
        if key not in series:
            series[key] = _read_series(storage, record, path)
    grid = (record.metadata or {}).get("grid") or index.get("grid")
    bins = grid.get("bins") if isinstance(grid, dict) and _positive_int(grid.get("bins")) else None
    return series_set(series, bin_minutes(grid), bins)
