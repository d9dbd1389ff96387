"""The listed hostile requests of issue 13: each was a 500 (or poisoned the data directory) before.

A request whose text is not Unicode (lone surrogates) or whose JSON is not strict (NaN, huge numbers, deep
nesting) is a 400 before anything is written; a folder written for a request whose registration fails is
removed; dates that overflow on UTC conversion and Parquet text that is not UTF-8 are 400s; every JSON file
the registry writes is strict JSON.
"""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from app.runfolder import json_bytes
from app.strictjson import loads as strict_loads
from tests.conftest import EXAMPLES, make_app
from tests.helpers import write_run
from tests.reliability.conftest import assert_error_shape

RUN_ID = "run_20250101T000000Z_0000beef"
HELLO = (EXAMPLES / "hello.yaml").read_bytes()
CSV = b"timestamp,arrivals\n2025-01-01T00:00:00Z,1\n2025-01-01T01:00:00Z,2\n"


@pytest.fixture
def world(data_dir):
    write_run(data_dir, RUN_ID, title="Host")
    app = make_app(data_dir)
    assert app.test_client().post("/v1/artifacts/rescan").status_code == 200
    yield app, data_dir
    app.extensions["flowtime"].close()


def artifact_folders(data: Path) -> set[str]:
    """Every artifact folder of the data directory (the scanner's layout)."""
    found = {p.name for p in data.glob("run_*")}
    for container in ("runs", "models", "telemetry"):
        found |= {f"{container}/{p.name}" for p in (data / container).glob("*") if p.is_dir()}
    return found


def refused(response, status: int = 400) -> dict:
    assert response.status_code == status, response.data[:300]
    return assert_error_shape(status, response.data)


def still_healthy(app) -> None:
    """The registry goes on: a rescan and a list call succeed with nothing skipped."""
    client = app.test_client()
    rescan = client.post("/v1/artifacts/rescan")
    assert rescan.status_code == 200 and rescan.get_json()["skipped"] == [], rescan.data[:300]
    assert client.get("/v1/artifacts").status_code == 200


# -- item 1: lone surrogates anywhere are a 400 before anything is written -----------------------------
SURROGATE_BODIES = [
    ("POST", "/v1/templates/baseline/instantiate", b'{"title": "x\\ud800"}', "title"),
    ("POST", "/v1/templates/baseline/instantiate", b'{"title": "ok", "description": "\\udfff"}', "description"),
    ("POST", "/v1/templates/baseline/instantiate", b'{"parameters": {"\\ud800": 1}}', "parameters"),
    ("PUT", f"/v1/artifacts/{RUN_ID}", b'{"title": "\\ud800"}', "title"),
    ("PATCH", f"/v1/artifacts/{RUN_ID}", b'{"description": "a\\udc00b"}', "description"),
    ("POST", "/v1/artifacts/archive", b'["\\ud800"]', "body"),
    ("POST", "/v1/artifacts/bulk-delete", b'{"ids": ["\\ud800"]}', "ids"),
    ("POST", f"/v1/artifacts/{RUN_ID}/relationships", b'{"derived_from": ["\\ud800"]}', "derived_from"),
    ("POST", f"/v1/artifacts/{RUN_ID}/compare", b'{"other": "\\ud800"}', "other"),
]


@pytest.mark.parametrize(("method", "url", "body", "field"), SURROGATE_BODIES)
def test_lone_surrogate_in_a_json_body_is_a_400(world, method, url, body, field):
    app, data = world
    before = artifact_folders(data)
    details = refused(app.test_client().open(url, method=method, data=body, content_type="application/json"))
    assert list(details["details"]) == [field] and "surrogate" in details["error"]
    assert artifact_folders(data) == before
    still_healthy(app)


def test_lone_surrogate_in_the_provenance_header_is_a_400(world):
    app, data = world
    before = artifact_folders(data)
    response = app.test_client().post("/v1/run", data=HELLO, content_type="text/plain",
                                      headers={"X-Model-Provenance": '{"templateId": "t", "source": "\\ud800"}'})
    assert "X-Model-Provenance" in refused(response)["details"]
    assert artifact_folders(data) == before
    still_healthy(app)


REFUSING_TRIGGER = "CREATE TRIGGER refuse_rows BEFORE INSERT ON artifacts BEGIN SELECT RAISE(ABORT, 'refused'); END"


def _writers(model_id: str):
    yield "run", lambda c: c.post("/v1/run", data=HELLO, content_type="text/plain")
    yield "model upload", lambda c: c.post("/v1/models", data=HELLO, content_type="text/plain")
    yield "instantiate", lambda c: c.post("/v1/templates/baseline/instantiate", json={"title": "t"})
    yield "stored model run", lambda c: c.post(f"/v1/models/{model_id}/run")
    yield "telemetry", lambda c: c.post("/v1/telemetry", data={"file": (io.BytesIO(CSV), "t.csv")},
                                        content_type="multipart/form-data")


def test_a_folder_whose_registration_fails_is_removed(world):
    """The database refuses the row (a trigger): the folder written for the request must not stay behind."""
    app, data = world
    client = app.test_client()
    model = client.post("/v1/templates/baseline/instantiate", json={"title": "stored"})
    assert model.status_code == 201
    before = artifact_folders(data)
    with sqlite3.connect(data / "registry.db") as connection:
        connection.execute(REFUSING_TRIGGER)
    for name, write in _writers(model.get_json()["modelId"]):
        response = write(client)
        assert response.status_code >= 400, f"{name}: {response.status_code}"
        assert_error_shape(response.status_code, response.data, name)
        assert artifact_folders(data) == before, f"{name}: left {artifact_folders(data) - before}"
    with sqlite3.connect(data / "registry.db") as connection:
        connection.execute("DROP TRIGGER refuse_rows")
    still_healthy(app)


# -- item 12: other 500s on input the parsers accept ----------------------------------------------------
def test_a_5000_digit_integer_in_a_json_body_is_a_400(world):
    app, _ = world
    for method, url in (("PUT", f"/v1/artifacts/{RUN_ID}"), ("POST", "/v1/artifacts/archive"),
                        ("POST", "/v1/templates/baseline/instantiate")):
        body = b'{"title": ' + b"9" * 5000 + b"}" if method == "PUT" else b"[" + b"9" * 5000 + b"]"
        refused(app.test_client().open(url, method=method, data=body, content_type="application/json"))


def test_a_3000_deep_provenance_header_is_a_400(world):
    app, data = world
    before = artifact_folders(data)
    response = app.test_client().post("/v1/run", data=HELLO, content_type="text/plain",
                                      headers={"X-Model-Provenance": "[" * 3000 + "]" * 3000})
    refused(response)
    assert artifact_folders(data) == before


@pytest.mark.parametrize("name", ["created_after", "created_before", "createdAfter", "createdBefore"])
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-12:00"])
def test_overflowing_dates_in_query_values_are_400s(world, name, value):
    app, _ = world
    refused(app.test_client().get("/v1/artifacts", query_string={name: value}))


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "'9999-12-31T23:00:00-12:00'"])
@pytest.mark.parametrize("url", ["/v1/run", "/v1/graph", "/v1/models"])
def test_an_overflowing_start_time_is_a_400(world, url, value):
    app, data = world
    before = artifact_folders(data)
    model = HELLO.replace(b"  binMinutes: 60\n", f"  binMinutes: 60\n  startTimeUtc: {value}\n".encode())
    body = refused(app.test_client().post(url, data=model, content_type="text/plain"))
    assert body["details"] == {"grid.startTimeUtc": [body["error"]]}
    assert artifact_folders(data) == before


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-12:00"])
def test_an_overflowing_csv_time_is_a_400(world, value):
    app, data = world
    before = artifact_folders(data)
    csv = CSV + f"{value},3\n".encode()
    response = app.test_client().post("/v1/telemetry", data={"file": (io.BytesIO(csv), "t.csv")},
                                      content_type="multipart/form-data")
    assert "row 3" in refused(response)["error"]
    assert artifact_folders(data) == before


def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, store_schema=False)
    return buffer.getvalue()


def _not_utf8(values: list[bytes]) -> pa.Array:
    return pa.array(values, pa.binary()).view(pa.string())  # declared text, bytes not UTF-8


PARQUET = {
    "column name": _parquet(pa.table({"timestamp": ["2025-01-01T00:00:00Z"], "zzzzarrivals": [1.0]}))
    .replace(b"zzzz", b"\xff\xfe\xc0\x80"),
    "time column": _parquet(pa.table({"timestamp": _not_utf8([b"2025-01-01T00:00:00Z", b"\xff\xfe"]),
                                      "arrivals": [1.0, 2.0]})),
    "component column": _parquet(pa.table({
        "time_bin": ["2025-01-01T00:00:00Z", "2025-01-01T01:00:00Z"], "component_id": _not_utf8([b"A", b"\xc3("]),
        "measure": ["arrivals", "arrivals"], "value": [1.0, 2.0]})),
}


@pytest.mark.parametrize("case", sorted(PARQUET))
def test_parquet_text_that_is_not_utf8_is_a_400(world, case):
    app, data = world
    before = artifact_folders(data)
    response = app.test_client().post("/v1/telemetry", data={"file": (io.BytesIO(PARQUET[case]), "t.parquet")},
                                      content_type="multipart/form-data")
    assert "UTF-8" in refused(response)["error"]
    assert artifact_folders(data) == before


# -- item 18: every JSON file written is strict JSON ----------------------------------------------------
@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_provenance_is_a_400(world, value):
    app, data = world
    before = artifact_folders(data)
    response = app.test_client().post("/v1/run", data=HELLO, content_type="text/plain",
                                      headers={"X-Model-Provenance": f'{{"templateId": "t", "weight": {value}}}'})
    assert "X-Model-Provenance" in refused(response)["details"]
    assert artifact_folders(data) == before


def test_every_json_file_written_is_strict(world):
    app, data = world
    client = app.test_client()
    provenance = json.dumps({"templateId": "t", "modelId": "m", "source": "ui", "weights": [0.5, 1e308]})
    run = client.post("/v1/run", data=HELLO, content_type="text/plain", headers={"X-Model-Provenance": provenance})
    assert run.status_code == 200
    assert client.post(f"/v1/runs/{run.get_json()['runId']}/export").status_code == 200
    assert client.post("/v1/templates/baseline/instantiate", json={"title": "t"}).status_code == 201
    assert client.post("/v1/telemetry", data={"file": (io.BytesIO(CSV), "t.csv")},
                       content_type="multipart/form-data").status_code == 201
    app.extensions["flowtime"].mirror.sync_here()
    written = [p for p in data.rglob("*.json") if p.is_file()]
    assert len(written) > 8
    for path in written:
        strict_loads(path.read_bytes())  # raises on NaN/Infinity, lone surrogates, ...
    with pytest.raises(ValueError):
        json_bytes({"weight": float("nan")})  # the run writer's encoder refuses instead of writing NaN


# -- descriptor files read on request paths (compare, export) fail as the artifact, not as a 500 -------------
@pytest.mark.parametrize("content", [b'{"series": [' + b"9" * 4400 + b"]}", b"[" * 100_000 + b"]" * 100_000,
                                     b'{"series": [{"id": "\\ud800"}]}', b'{"grid": {"bins": NaN}}'])
@pytest.mark.parametrize("name", ["series/index.json", "run.json", "manifest.json"])
def test_hostile_descriptor_on_compare_and_export_is_a_4xx(world, name, content):
    app, data = world
    other = write_run(data, "run_20250101T000000Z_0000cafe", title="Other")
    client = app.test_client()
    assert client.post("/v1/artifacts/rescan").status_code == 200
    (other / name).write_bytes(content)
    for response in (client.post(f"/v1/artifacts/{RUN_ID}/compare", json={"other": other.name}),
                     client.post(f"/v1/runs/{other.name}/export")):
        assert response.status_code < 500, response.data[:300]
        if response.status_code >= 400:
            assert_error_shape(response.status_code, response.data)
