"""Gold export: sample .NET runs, our own runs, round-trip across CSV, NDJSON and Parquet."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pyarrow.parquet as pq
import pytest

from app.engine import export_run, run_model
from app.errors import ArtifactUnreadable, NotFound
from tests.unit.engine.ft_engine_paths import EXAMPLES, SAMPLES

FILES = ["gold/export.csv", "gold/export.ndjson", "gold/export.parquet"]


def read_rows(storage, key: str) -> dict[str, list[tuple]]:
    csv_rows = [(r["time_bin"], r["component_id"], r["measure"], float(r["value"]))
                for r in csv.DictReader(io.StringIO(storage.read_bytes(f"{key}/gold/export.csv").decode()))]
    nd_rows = [tuple(json.loads(line).values()) for line in storage.read_bytes(f"{key}/gold/export.ndjson").decode().splitlines()]
    table = pq.read_table(io.BytesIO(storage.read_bytes(f"{key}/gold/export.parquet")))
    pq_rows = [(r["time_bin"].strftime("%Y-%m-%dT%H:%M:%SZ"), r["component_id"], r["measure"], r["value"])
               for r in table.to_pylist()]
    return {"csv": csv_rows, "ndjson": nd_rows, "parquet": pq_rows, "schema": table.schema}


def expected_rows(series: dict[str, list[float]], start: datetime, minutes: int) -> list[tuple]:
    rows = []
    for node, values in series.items():
        for t, v in enumerate(values):
            stamp = datetime.fromtimestamp(start.timestamp() + t * minutes * 60, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            rows.append((stamp, node.upper(), node, float(v)))
    return rows


@pytest.mark.parametrize("run", ["run_20250922T090000Z_1a2b3c4d", "run_20251002T141500Z_9f8e7d6c"])
def test_sample_gold_files_match(sample_storage, run):
    """These two sample gold sets were checked against computed hourly bins: they are correct."""
    original = {name: (SAMPLES / run / name).read_bytes() for name in FILES}
    response = export_run(sample_storage, run)
    assert response == {"message": response["message"], "runId": run, "formats": ["csv", "ndjson", "parquet"], "files": FILES}
    for name in FILES[:2]:
        assert sample_storage.read_bytes(f"{run}/{name}") == original[name]
    ours = pq.read_table(io.BytesIO(sample_storage.read_bytes(f"{run}/{FILES[2]}")))
    assert ours.equals(pq.read_table(io.BytesIO(original[FILES[2]])))


def test_deterministic_run_half_hour_bins(sample_storage):
    run = "run_deterministic_4bbc610e"
    export_run(sample_storage, run)
    rows = read_rows(sample_storage, run)
    series = {"arrivals": [17] * 6, "capacity": [15] * 6, "served": [15] * 6, "backlog": [2] * 6}
    assert rows["csv"] == expected_rows(series, datetime(2025, 9, 22, tzinfo=UTC), 30)
    assert rows["csv"] == rows["ndjson"] == rows["parquet"]


def test_hello_sample_hourly(sample_storage):
    run = "run_20250921T161133Z_0bcdbb6f"
    export_run(sample_storage, run)
    assert read_rows(sample_storage, run)["csv"] == expected_rows({"served": [8] * 8}, datetime(2025, 9, 21, tzinfo=UTC), 60)


def test_legacy_run_without_manifest(sample_storage):
    export_run(sample_storage, "run_20250923T120000Z_0000aaaa")
    assert read_rows(sample_storage, "run_20250923T120000Z_0000aaaa")["csv"][1][0] == "2025-09-23T01:00:00Z"


def test_round_trip_our_run(storage):
    text = (EXAMPLES / "transportation.yaml").read_text()
    info = run_model(storage, text)
    export_run(storage, info.key, created=datetime(2024, 2, 29, 13, 0, tzinfo=UTC))
    rows = read_rows(storage, info.key)
    assert rows["csv"] == rows["ndjson"] == rows["parquet"]
    assert len(rows["csv"]) == 24 * len(info.series_ids)
    assert rows["csv"][0][0] == "2024-02-29T00:00:00Z" and rows["csv"][23][0] == "2024-02-29T23:00:00Z"
    assert [r[2] for r in rows["csv"][::24]] == [s.split("@")[0] for s in info.series_ids]
    schema = rows["schema"]
    assert [str(schema.field(n).type) for n in schema.names] == ["timestamp[us, tz=UTC]", "string", "string", "double"]


def test_start_time_and_bin_units(storage):
    text = ("grid: {bins: 3, binSize: 2, binUnit: weeks, startTimeUtc: '2025-03-01T06:30:00Z'}\nnodes:\n"
            "  - id: x\n    kind: const\n    values: [1.5, 2, 0.1]\n")
    info = run_model(storage, text)
    export_run(storage, info.key)
    rows = read_rows(storage, info.key)
    assert [r[0] for r in rows["csv"]] == ["2025-03-01T06:30:00Z", "2025-03-15T06:30:00Z", "2025-03-29T06:30:00Z"]
    assert rows["csv"] == rows["ndjson"] == rows["parquet"]
    assert storage.read_bytes(f"{info.key}/gold/export.ndjson").splitlines()[1].endswith(b'"value": 2.0}')


def test_missing_run(storage):
    with pytest.raises(NotFound):
        export_run(storage, "run_20250101T000000Z_deadbeef")


def test_missing_index_and_series(sample_storage, storage):
    info = run_model(storage, (EXAMPLES / "hello.yaml").read_text())
    with storage.write_file(f"{info.key}/series/index.json") as handle:
        handle.write(json.dumps({"schemaVersion": 1, "grid": {"bins": 8, "binMinutes": 60},
                                 "series": [{"id": "gone@GONE@DEFAULT", "path": "series/gone@GONE@DEFAULT.csv"}]}).encode())
    with pytest.raises(NotFound):
        export_run(storage, info.key)
    with pytest.raises(NotFound):
        export_run(sample_storage, "scratch")


def test_malformed_series(storage):
    info = run_model(storage, (EXAMPLES / "hello.yaml").read_text())
    with storage.write_file(f"{info.key}/series/served@SERVED@DEFAULT.csv") as handle:
        handle.write(b"t,value\n0,abc\n")
    with pytest.raises(ArtifactUnreadable):
        export_run(storage, info.key)
