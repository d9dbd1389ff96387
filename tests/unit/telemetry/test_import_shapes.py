"""Accepted shapes (long, wide, series) in CSV and Parquet: catalog, metadata, stored bytes, loading."""

from __future__ import annotations

import io
import json
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from app.registry.folders.described import read_described_folder
from app.telemetry import load_telemetry_series

WIDE_CSV = (b"timestamp,arrivals,served\n"
            b"2024-01-01T00:00:00Z,1,2\n2024-01-01T00:05:00Z,3,\n2024-01-01T00:10:00Z,5,6\n")
LONG_CSV = (b"time_bin,component_id,measure,value\n"
            b"2024-01-01T01:00:00Z,A,arrivals,3\n2024-01-01T00:00:00Z,A,arrivals,1\n"
            b"2024-01-01T00:00:00Z,B,served,4\n2024-01-01T01:00:00Z,B,served,8\n")
SERIES_CSV = b"t,value\n0,1\n1,2.5\n2,4\n"


def parquet_bytes(table: pa.Table, **kw) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, **kw)
    return sink.getvalue()


def wide_table() -> pa.Table:
    times = pa.array([datetime(2024, 1, 1, 0, m) for m in (0, 5, 10)], pa.timestamp("ms", tz="UTC"))
    return pa.table({"timestamp": times, "arrivals": [1, 3, 5], "served": pa.array([2.0, None, 6.0])})


def long_table() -> pa.Table:
    return pa.table({
        "time_bin": pa.array([datetime(2024, 1, 1, h) for h in (1, 0, 0, 1)], pa.timestamp("us")),
        "component_id": ["A", "A", "B", "B"], "measure": ["arrivals", "arrivals", "served", "served"],
        "value": [3.0, 1.0, 4.0, 8.0]})


def series_by_id(catalog: dict) -> dict:
    return {entry["id"]: entry for entry in catalog["series"]}


def check_wide(result, fmt):
    catalog = result.catalog
    assert catalog["format"] == fmt and catalog["shape"] == "wide" and catalog["rows"] == 3
    assert catalog["time_column"] == "timestamp"
    assert catalog["time_range"] == {"start": "2024-01-01T00:00:00Z", "end": "2024-01-01T00:10:00Z"}
    assert catalog["bin_minutes"] == 5
    series = series_by_id(catalog)
    assert series["arrivals@ARRIVALS"] == {"id": "arrivals@ARRIVALS", "measure": "arrivals",
                                           "component_id": "ARRIVALS", "points": 3, "min": 1.0, "max": 5.0,
                                           "mean": 3.0, "sum": 9.0, "last": 5.0}
    assert series["served@SERVED"]["points"] == 2 and series["served@SERVED"]["mean"] == 4.0
    assert [c["type"] for c in catalog["columns"]] == ["timestamp", "number", "number"]


def check_long(result, fmt):
    catalog = result.catalog
    assert catalog["shape"] == "long" and catalog["rows"] == 4 and catalog["time_column"] == "time_bin"
    assert catalog["bin_minutes"] == 60
    assert catalog["time_range"] == {"start": "2024-01-01T00:00:00Z", "end": "2024-01-01T01:00:00Z"}
    series = series_by_id(catalog)
    assert set(series) == {"arrivals@A", "served@B"}
    assert series["served@B"]["min"] == 4.0 and series["served@B"]["max"] == 8.0
    assert series["served@B"]["mean"] == 6.0 and series["arrivals@A"]["points"] == 2
    assert series["served@B"]["sum"] == 12.0 and series["served@B"]["last"] == 8.0


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_wide(importer, fmt):
    data = WIDE_CSV if fmt == "csv" else parquet_bytes(wide_table())
    result = importer(data, filename=f"wide.{fmt}")
    check_wide(result, fmt)
    assert importer.storage.read_bytes(f"{result.key}/data.{fmt}") == data
    loaded = load_telemetry_series(importer.storage, result.key, result.catalog)
    assert loaded[("arrivals", "ARRIVALS")].tolist() == [1.0, 3.0, 5.0]
    assert np.isnan(loaded[("served", "SERVED")][1])


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_long(importer, fmt):
    data = LONG_CSV if fmt == "csv" else parquet_bytes(long_table(), row_group_size=2)
    result = importer(data, filename=f"long.{fmt}")
    check_long(result, fmt)
    loaded = load_telemetry_series(importer.storage, result.key, result.catalog)
    assert loaded[("arrivals", "A")].tolist() == [1.0, 3.0]
    assert loaded[("served", "B")].tolist() == [4.0, 8.0]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_series(importer, fmt):
    data = SERIES_CSV if fmt == "csv" else parquet_bytes(pa.table({"t": [0, 1, 2], "value": [1.0, 2.5, 4.0]}))
    result = importer(data, filename=None)
    catalog = result.catalog
    assert catalog["shape"] == "series" and catalog["time_range"] is None and catalog["bin_minutes"] is None
    assert catalog["series"] == [{"id": "value@VALUE", "measure": "value", "component_id": "VALUE",
                                  "points": 3, "min": 1.0, "max": 4.0, "mean": 2.5, "sum": 7.5, "last": 4.0}]
    assert catalog["columns"][0] == {"name": "t", "type": "integer"}
    assert load_telemetry_series(importer.storage, result.key, catalog)[("value", "VALUE")].tolist() == [1, 2.5, 4]


def test_folder_catalog_and_metadata(importer):
    now = datetime(2024, 5, 6, 7, 8, 9)
    result = importer(WIDE_CSV, filename="C:\\exports\\Week 12.csv", tags=["ops", "ops", "w12"],
                      description="d", now=now)
    assert result.artifact_id.startswith("telemetry_20240506T070809Z_") and len(result.artifact_id) == 35
    assert result.key == f"telemetry/{result.artifact_id}"
    names = [f.name for f in importer.storage.list_files(result.key)]
    assert names == ["catalog.json", "data.csv", "metadata.json"]
    catalog = json.loads(importer.storage.read_bytes(f"{result.key}/catalog.json"))
    assert catalog == result.catalog
    assert list(catalog) == ["format", "shape", "data_file", "rows", "columns", "time_column", "series",
                             "time_range", "bin_minutes"]
    meta = json.loads(importer.storage.read_bytes(f"{result.key}/metadata.json"))
    assert meta["title"] == "Week 12" and meta["type"] == "telemetry" and meta["source"] == "import"
    assert meta["created"] == "2024-05-06T07:08:09Z" and meta["tags"] == ["ops", "w12"]
    assert meta["metadata"]["series"] == ["arrivals@ARRIVALS", "served@SERVED"]
    assert meta["metadata"]["original_filename"] == "Week 12.csv"
    record = read_described_folder(importer.storage, result.key, importer.storage.list_files(result.key))
    assert record.type == "telemetry" and record.series_count == 2 and record.title == "Week 12"
    assert importer.leftovers() == [result.key.split("/")[0], result.key, *(f"{result.key}/{n}" for n in names)]


def test_title_defaults_to_id_and_explicit_title(importer):
    first = importer(SERIES_CSV, filename=None)
    meta = json.loads(importer.storage.read_bytes(f"{first.key}/metadata.json"))
    assert meta["title"] == first.artifact_id
    second = importer(SERIES_CSV, title="  Given  ")
    assert json.loads(importer.storage.read_bytes(f"{second.key}/metadata.json"))["title"] == "Given"


def test_csv_with_bom_and_crlf(importer):
    result = importer(b"\xef\xbb\xbft,value\r\n0,1\r\n1,2\r\n")
    assert result.catalog["columns"][0]["name"] == "t" and result.catalog["rows"] == 2


def test_formula_cells_and_long_field_kept_verbatim(importer):
    data = (b"time_bin,component_id,measure,value,note\n"
            b"2024-01-01T00:00:00Z,=SUM(A1),arrivals,1,\"=HYPERLINK(\"\"http://x\"\")\"\n"
            b"2024-01-01T00:05:00Z,@cmd,arrivals,2,\"" + b"x" * 200_000 + b"\"\n")
    result = importer(data)
    assert importer.storage.read_bytes(f"{result.key}/data.csv") == data
    assert {e["id"] for e in result.catalog["series"]} == {"arrivals@=SUM(A1)", "arrivals@@cmd"}
    assert result.catalog["columns"][-1] == {"name": "note", "type": "string"}


def test_naive_and_offset_timestamps_and_dotnet_fractions(importer):
    data = (b"time_bin,a\n2024-01-01T00:00:00.0000000Z,1\n2024-01-01T02:30:00+02:00,2\n"
            b"2024-01-01 00:45:00,3\n")
    catalog = importer(data).catalog
    assert catalog["time_range"] == {"start": "2024-01-01T00:00:00Z", "end": "2024-01-01T00:45:00Z"}
    assert catalog["bin_minutes"] == 15


def test_parquet_dictionary_and_extra_columns(importer):
    table = long_table().append_column("note", pa.array(["x"] * 4))
    data = parquet_bytes(table, use_dictionary=True)
    result = importer(data, filename="long.parquet")
    check_long(result, "parquet")
    assert result.catalog["columns"][-1] == {"name": "note", "type": "string"}
