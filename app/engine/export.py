"""Gold export of a run folder (ours or .NET-written): long table as CSV, NDJSON and Parquet."""

from __future__ import annotations

import io
import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from app.engine.numfmt import formatted_strings, join_lines
from app.errors import ArtifactUnreadable, ModelInvalid, NotFound
from app.runfolder import GOLD_EXPORTS, MANIFEST_JSON, RUN_JSON, SERIES_INDEX, SPEC_YAML, bin_minutes
from app.storage.base import Storage
from app.strictjson import loads as strict_loads
from app.yamlsafe import safe_load

FORMATS = ["csv", "ndjson", "parquet"]
FILES = [GOLD_EXPORTS[f] for f in FORMATS]
CSV_HEADER = "time_bin,component_id,measure,value\n"
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_RUN_STAMP = re.compile(r"^run_(\d{4})(\d{2})(\d{2})T")


def _broken(run_id: str, what: str) -> ArtifactUnreadable:
    return ArtifactUnreadable(f"run {run_id}: {what}", details={"runId": [what]})


def _read_json(storage: Storage, key: str, run_id: str, required: bool) -> dict | None:
    if not storage.exists(key):
        if required:
            raise NotFound(f"run {run_id}: {key.rsplit('/', 1)[-1]} not found")
        return None
    try:
        data = strict_loads(storage.read_bytes(key))
    except ValueError:  # NotStrictJSON too: bad syntax, deep nesting, huge numbers, NaN
        if required:
            raise _broken(run_id, f"{key.split('/', 1)[-1]} is not valid JSON") from None
        return None
    return data if isinstance(data, dict) else None


def _spec_grid(storage: Storage, prefix: str, needed: bool) -> dict:
    """The grid of spec.yaml, if readable (only used for startTimeUtc and as a fallback)."""
    key = f"{prefix}/{SPEC_YAML}"
    if not storage.exists(key):
        return {}
    try:
        text = storage.read_bytes(key).decode("utf-8")
        if not needed and "startTimeUtc" not in text:
            return {}
        data = safe_load(text)
    except (ModelInvalid, UnicodeDecodeError):
        return {}
    grid = data.get("grid") if isinstance(data, dict) else None
    return grid if isinstance(grid, dict) else {}


def _parse_start(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _creation_day(created, run_json: dict | None, manifest: dict | None, run_id: str) -> datetime:
    if isinstance(created, datetime):
        moment = created if created.tzinfo else created.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
        return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    candidates = [(d or {}).get("createdUtc") for d in (run_json, manifest)]
    for text in candidates:
        match = _DATE.match(text) if isinstance(text, str) else None
        if match:
            return datetime(*map(int, match.groups()), tzinfo=UTC)
    match = _RUN_STAMP.match(run_id)
    if match:
        return datetime(*map(int, match.groups()), tzinfo=UTC)
    raise _broken(run_id, "cannot determine the run's creation date for time bins")


def _time_axis(start: datetime, bins: int, minutes: int) -> tuple[np.ndarray, pa.Array]:
    """Bin start instants (datetime64[us]) and their ISO strings."""
    start64 = np.datetime64(start.astimezone(UTC).replace(tzinfo=None, microsecond=0), "us")
    times = start64 + np.arange(bins, dtype=np.int64) * np.timedelta64(minutes * 60_000_000, "us")
    labels = pa.array(np.char.add(np.datetime_as_string(times, unit="s"), "Z").tolist(), pa.large_string())
    return times, labels


def _read_series(storage: Storage, key: str, run_id: str, bins: int) -> np.ndarray:
    name = key.rsplit("/", 1)[-1]
    if not storage.exists(key):
        raise NotFound(f"run {run_id}: series file {name} not found")
    options = pacsv.ConvertOptions(column_types={"t": pa.int64(), "value": pa.float64()})
    try:
        table = pacsv.read_csv(io.BytesIO(storage.read_bytes(key)), convert_options=options)
        values = table.column("value").to_numpy().astype(np.float64)
    except (pa.ArrowInvalid, KeyError, ValueError):
        raise _broken(run_id, f"{name} is not a numeric t,value CSV") from None
    if table.column_names != ["t", "value"] or len(values) != bins or not np.isfinite(values).all():
        raise _broken(run_id, f"{name} does not hold {bins} finite t,value rows")
    return values


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def load_series(storage: Storage, run_key: str) -> tuple[list[str], list[np.ndarray], dict]:
    """Read a run's series (index order) and the facts needed for time bins."""
    run_id = run_key.rstrip("/").rsplit("/", 1)[-1]
    if not storage.exists(run_key):
        raise NotFound(f"run {run_id} not found")
    index = _read_json(storage, f"{run_key}/{SERIES_INDEX}", run_id, required=True)
    run_json = _read_json(storage, f"{run_key}/{RUN_JSON}", run_id, required=False)
    manifest = _read_json(storage, f"{run_key}/{MANIFEST_JSON}", run_id, required=False)
    grids = [index.get("grid"), (run_json or {}).get("grid")]
    spec_grid = _spec_grid(storage, run_key, needed=not any(map(bin_minutes, grids)))
    grids.append(spec_grid)
    minutes = next((m for m in map(bin_minutes, grids) if m), None)
    bins = next((g["bins"] for g in grids if isinstance(g, dict) and isinstance(g.get("bins"), int)), None)
    entries = index.get("series")
    if minutes is None or not bins or bins < 1 or not isinstance(entries, list):
        raise _broken(run_id, "series/index.json has no usable grid or series list")
    ids, arrays = [], []
    for entry in entries:
        sid, path = (entry.get("id"), entry.get("path")) if isinstance(entry, dict) else (None, None)
        if not isinstance(sid, str) or not isinstance(path, str) or ".." in path or path.startswith("/"):
            raise _broken(run_id, "series/index.json has a malformed entry")
        ids.append(sid)
        arrays.append(_read_series(storage, f"{run_key}/{path}", run_id, bins))
    facts = {"run_id": run_id, "bins": bins, "minutes": minutes, "start": _parse_start(spec_grid.get("startTimeUtc")),
             "run_json": run_json, "manifest": manifest}
    return ids, arrays, facts


def _build_text(labels: pa.Array, measures: list[str], arrays: list[np.ndarray]) -> tuple[bytes, bytes]:
    """The CSV and NDJSON exports, built column-wise over all rows at once."""
    count, bins = len(measures), len(labels)
    dotnet, python = formatted_strings(np.concatenate(arrays) if arrays else np.zeros(0))
    codes = pa.array(np.repeat(np.arange(count, dtype=np.int64), bins))
    times = labels.take(pa.array(np.tile(np.arange(bins, dtype=np.int64), count)))
    csv_mid = [f",{_csv_field(m.upper())},{_csv_field(m)}," for m in measures]
    json_mid = [f'", "component_id": {json.dumps(m.upper())}, "measure": {json.dumps(m)}, "value": ' for m in measures]
    csv_body = join_lines(times, pa.array(csv_mid, pa.large_string()).take(codes), dotnet)
    json_body = join_lines('{"time_bin": "', times, pa.array(json_mid, pa.large_string()).take(codes), python, "}")
    return CSV_HEADER.encode("ascii") + csv_body, json_body


def _build_parquet(times: np.ndarray, measures: list[str], arrays: list[np.ndarray]) -> bytes:
    count, bins = len(measures), len(times)
    codes = pa.array(np.repeat(np.arange(count, dtype=np.int32), bins))
    component = pa.DictionaryArray.from_arrays(codes, pa.array([m.upper() for m in measures], pa.string()))
    measure = pa.DictionaryArray.from_arrays(codes, pa.array(measures, pa.string()))
    values = np.concatenate(arrays) if arrays else np.zeros(0)
    table = pa.table(
        {
            "time_bin": pa.array(np.tile(times, count), pa.timestamp("us", tz="UTC")),
            "component_id": component.cast(pa.string()),
            "measure": measure.cast(pa.string()),
            "value": pa.array(values + 0.0, pa.float64()),
        }
    )
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _write(storage: Storage, key: str, data: bytes) -> None:
    with storage.write_file(key) as handle:
        handle.write(data)


def export_run(storage: Storage, run_key: str, created: datetime | None = None) -> dict:
    """Write gold/export.{csv,ndjson,parquet} for a run and return the FlowTime export response."""
    ids, arrays, facts = load_series(storage, run_key)
    start = facts["start"] or _creation_day(created, facts["run_json"], facts["manifest"], facts["run_id"])
    times, labels = _time_axis(start, facts["bins"], facts["minutes"])
    measures = [sid.split("@", 1)[0] for sid in ids]
    # pyarrow and file I/O release the GIL: build the Parquet file and write each output in parallel.
    with ThreadPoolExecutor(max_workers=3) as pool:
        parquet = pool.submit(_build_parquet, times, measures, arrays)
        csv_bytes, ndjson_bytes = _build_text(labels, measures, arrays)
        writes = [pool.submit(_write, storage, f"{run_key}/{FILES[0]}", csv_bytes),
                  pool.submit(_write, storage, f"{run_key}/{FILES[1]}", ndjson_bytes),
                  pool.submit(_write, storage, f"{run_key}/{FILES[2]}", parquet.result())]
        for write in writes:
            write.result()
    return {
        "message": f"exported {len(ids)} series x {facts['bins']} bins",
        "runId": facts["run_id"],
        "formats": list(FORMATS),
        "files": list(FILES),
    }
