"""POST /v1/telemetry/{id}/replay: telemetry run through the engine, on every backend."""

import io

import pytest

from tests.helpers import ERROR_KEYS

WIDE = (b"time_bin,arrivals,served\n2025-01-01T00:00:00Z,10,8\n2025-01-01T01:00:00Z,20,16.5\n"
        b"2025-01-01T02:00:00Z,30,24\n")
BIN_INDEXED = b"t,value\n0,1\n1,2\n2,3\n3,5\n"
LONG_WITH_A_GAP = (b"time_bin,component_id,measure,value\n2025-01-01T00:00:00Z,web,load,1\n"
                   b"2025-01-01T01:00:00Z,web,load,2\n2025-01-01T00:00:00Z,db,load,3\n")


def upload(client, data: bytes, title="Observed") -> str:
    response = client.post("/v1/telemetry", data={"file": (io.BytesIO(data), "data.csv"), "title": title},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_a_replayed_run_holds_the_telemetry_on_its_grid_and_derives_from_it(client):
    telemetry = upload(client, WIDE, title="Checkout telemetry")
    response = client.post(f"/v1/telemetry/{telemetry}/replay?seed=5")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["series"] == {"arrivals": [10, 20, 30], "served": [8, 16.5, 24]}
    assert body["grid"]["bins"] == 3 and body["grid"]["binMinutes"] == 60
    run = client.get(f"/v1/artifacts/{body['runId']}").json
    assert run["title"] == "Replay of Checkout telemetry"
    assert run["relationships"]["derived_from"] == [telemetry]
    assert run["metadata"]["provenance"]["source"] == "telemetry-replay"
    assert run["series_summary"]["served"]["sum"] == 48.5
    assert client.get(f"/v1/runs/{body['runId']}/series/served").data.decode().splitlines()[1:] == [
        "0,8", "1,16.5", "2,24"]
    compared = client.post(f"/v1/artifacts/{telemetry}/compare", json={"other": body["runId"]})
    assert compared.status_code == 200, compared.json


def test_bin_indexed_telemetry_replays_on_hour_bins(client):
    body = client.post(f"/v1/telemetry/{upload(client, BIN_INDEXED)}/replay").json
    assert body["series"] == {"value": [1, 2, 3, 5]} and body["grid"]["binMinutes"] == 60


def test_series_of_different_lengths_are_a_409_naming_them(client):
    telemetry = upload(client, LONG_WITH_A_GAP)
    before = client.get("/v1/artifacts?type=run").json["total"]
    response = client.post(f"/v1/telemetry/{telemetry}/replay")
    assert response.status_code == 409 and set(response.json) == ERROR_KEYS
    assert "different lengths" in response.json["error"] and "series" in response.json["details"]
    assert client.get("/v1/artifacts?type=run").json["total"] == before  # nothing written


@pytest.mark.parametrize(("target", "status"), [("run_20990101T000000Z_00000000", 404), ("../etc", 404)])
def test_unknown_or_hostile_ids(client, target, status):
    response = client.post(f"/v1/telemetry/{target}/replay")
    assert response.status_code in (status, 400) and set(response.json) == ERROR_KEYS


def test_only_telemetry_replays(client):
    model = client.post("/v1/templates/baseline/instantiate", json={"parameters": {"bins": 4}}).json["artifactId"]
    response = client.post(f"/v1/telemetry/{model}/replay")
    assert response.status_code == 409 and "not telemetry" in response.json["error"]
