"""Per-series summaries (points, min, max, mean, sum, last) of run and telemetry folders, read at registration.

A run's are computed from its series CSVs; telemetry's from catalog.json (written at import). Keys are
the series' measure: `served` for `served@SERVED@DEFAULT`, the column name for telemetry. The first
series of a measure wins (as compare does).
"""

from __future__ import annotations

import math

from app.registry.folders.descriptors import read_json
from app.runfolder import series_path
from app.storage import Storage

CATALOG_JSON = "catalog.json"
MAX_SERIES_BYTES = 8 * 1024 * 1024  # a larger series file is summarised as unreadable (no stats)
MAX_SUMMARISED = 200  # series per artifact


def measure_of(series: str) -> str:
    """The node a series id names (`served@SERVED@DEFAULT` -> `served`)."""
    return series.split("@", 1)[0]


def summarise(values: list[float]) -> dict:
    """The summary of one series' values (non-finite ones are missing points)."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return {"points": 0}
    total = math.fsum(finite)
    mean = total / len(finite)
    return {"points": len(finite), "min": min(finite), "max": max(finite), "mean": mean, "sum": total,
            "last": finite[-1]}


def parse_values(data: bytes) -> list[float] | None:
    """The `value` column of a `t,value` CSV in file order, or None when it is not one."""
    lines = data.decode("utf-8-sig", "replace").splitlines()
    if not lines:
        return None
    header = [h.strip() for h in lines[0].split(",")]
    if "value" not in header:
        return None
    column = header.index("value")
    values = []
    for line in lines[1:]:
        cells = line.split(",")
        if not line.strip():
            continue
        try:
            values.append(float(cells[column]))
        except (IndexError, ValueError):
            values.append(math.nan)
    return values


def run_summaries(storage: Storage, key: str, series: list[str], names: set[str]) -> dict:
    """{measure: summary} of a run folder's series CSVs (unreadable or missing files are left out)."""
    summaries: dict[str, dict] = {}
    for sid in series[:MAX_SUMMARISED]:
        measure, path = measure_of(sid), series_path(sid)
        if measure in summaries or path not in names:
            continue
        try:
            data = storage.read_bytes(f"{key}/{path}", limit=MAX_SERIES_BYTES + 1)
        except Exception:  # a file that cannot be read has no summary; the folder is still indexed
            continue
        values = parse_values(data) if len(data) <= MAX_SERIES_BYTES else None
        if values is not None:
            summaries[measure] = summarise(values)
    return summaries


def telemetry_summaries(storage: Storage, key: str, names: set[str]) -> dict:
    """{measure: summary} from a telemetry folder's catalog.json (sum derived from the mean for old catalogs)."""
    if CATALOG_JSON not in names:
        return {}
    catalog, _ = read_json(storage, f"{key}/{CATALOG_JSON}")
    entries = (catalog or {}).get("series")
    summaries: dict[str, dict] = {}
    for entry in entries[:MAX_SUMMARISED] if isinstance(entries, list) else []:
        measure = entry.get("measure") if isinstance(entry, dict) else None
        if isinstance(measure, str) and measure and measure not in summaries:
            summaries[measure] = _catalog_summary(entry)
    return summaries


def _catalog_summary(entry: dict) -> dict:
    points = entry.get("points")
    summary = {"points": points if isinstance(points, int) and not isinstance(points, bool) else 0}
    for stat in ("min", "max", "mean", "sum", "last"):
        value = entry.get(stat)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            summary[stat] = float(value)
    if "sum" not in summary and "mean" in summary:
        summary["sum"] = summary["mean"] * summary["points"]
    return summary
