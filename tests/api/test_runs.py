"""POST /v1/run and friends: registered at once, FlowTime formats, exports, errors."""

import io
import json

import pyarrow.parquet as pq
import pytest

from tests.conftest import EXAMPLES
from tests.helpers import ERROR_KEYS

HELLO = (EXAMPLES / "hello.yaml").read_text()
SHIFT = (EXAMPLES / "shift-test.yaml").read_text()


def post_run(client, text, query="", **headers):
    return client.post(f"/v1/run{query}", data=text, content_type="text/plain", headers=headers)


def test_run_is_registered_before_the_response(client):
    body = post_run(client, HELLO, "?seed=42").json
    assert body["series"] == {"demand": [10] * 8, "served": [8] * 8}
    assert body["order"] == ["demand", "served"] and body["grid"] == {"bins": 8, "binMinutes": 60}
    listed = client.get("/v1/artifacts").json["artifacts"]
    assert [a["id"] for a in listed] == [body["runId"]]
    artifact = listed[0]
    assert artifact["source"] == "engine" and artifact["capabilities"] == ["replay", "compare", "export"]
    assert artifact["metadata"]["rng_seed"] == 42 and artifact["metadata"]["series"] == ["served@SERVED@DEFAULT"]
    assert artifact["metadata"]["execution_ms"] >= 0
    assert artifact["path"] == body["artifactPath"] == body["runId"]


def test_same_model_and_seed_give_identical_series_and_hashes(client):
    first = post_run(client, SHIFT, "?seed=7").json["runId"]
    second = post_run(client, SHIFT, "?seed=7").json["runId"]
    a = client.get(f"/v1/artifacts/{first}").json
    b = client.get(f"/v1/artifacts/{second}").json
    assert a["metadata"]["scenario_hash"] == b["metadata"]["scenario_hash"]
    for node in ("demand", "previous_demand", "total_demand"):
        assert client.get(f"/v1/runs/{first}/series/{node}").data == client.get(f"/v1/runs/{second}/series/{node}").data


def test_provenance_header_is_recorded(client):
    provenance = json.dumps({"templateId": "it-system", "modelId": "model_20250101T000000Z_00000001"})
    run_id = post_run(client, HELLO, **{"X-Model-Provenance": provenance}).json["runId"]
    artifact = client.get(f"/v1/artifacts/{run_id}").json
    assert artifact["metadata"]["provenance"]["template_id"] == "it-system"
    assert artifact["relationships"]["derived_from"] == ["model_20250101T000000Z_00000001"]
    assert "provenance.json" in artifact["files"] and "provenance.json" in [f["name"] for f in artifact["file_details"]]
    assert client.get("/v1/artifacts?template_id=it-system").json["total"] == 1


def test_series_and_index_endpoints(client):
    run_id = post_run(client, SHIFT).json["runId"]
    index = client.get(f"/v1/runs/{run_id}/index").json
    assert [s["id"] for s in index["series"]][0] == "demand@DEMAND@DEFAULT"
    csv = client.get(f"/v1/runs/{run_id}/series/total_demand@TOTAL_DEMAND@DEFAULT")
    assert csv.mimetype == "text/csv" and csv.data == b"t,value\n0,10\n1,30\n2,50\n3,70\n4,90\n"
    assert client.get(f"/v1/runs/{run_id}/series/nope").status_code == 404
    assert client.get("/v1/runs/run_20990101T000000Z_00000000/index").status_code == 404


def test_export_writes_three_formats_and_updates_the_artifact(client):
    run_id = post_run(client, SHIFT).json["runId"]
    assert client.get(f"/v1/runs/{run_id}/export/csv").status_code == 404
    body = client.post(f"/v1/runs/{run_id}/export").json
    assert body["formats"] == ["csv", "ndjson", "parquet"] and body["runId"] == run_id
    artifact = client.get(f"/v1/artifacts/{run_id}").json
    assert {"gold/export.csv", "gold/export.ndjson", "gold/export.parquet"} <= {f["name"] for f in artifact["file_details"]} == set(artifact["files"])
    assert artifact["metadata"]["exports"] == ["gold/export.csv", "gold/export.ndjson", "gold/export.parquet"]
    csv_rows = client.get(f"/v1/runs/{run_id}/export/csv").data.decode().splitlines()[1:]
    ndjson_rows = [json.loads(line) for line in client.get(f"/v1/runs/{run_id}/export/ndjson").data.splitlines()]
    table = pq.read_table(io.BytesIO(client.get(f"/v1/runs/{run_id}/export/parquet").data)).to_pylist()
    assert len(csv_rows) == len(ndjson_rows) == len(table) == 15
    assert [r["value"] for r in ndjson_rows] == [r["value"] for r in table]
    parquet = client.get(f"/v1/artifacts/{run_id}/files/gold/export.parquet")
    assert parquet.mimetype == "application/vnd.apache.parquet"
    assert client.get(f"/v1/runs/{run_id}/export/xml").status_code == 400


def test_graph_without_running(client):
    body = client.post("/v1/graph", data=SHIFT, content_type="application/yaml").json
    assert body["order"] == ["demand", "previous_demand", "total_demand"]
    assert client.get("/v1/artifacts").json["total"] == 0


BAD_MODELS = [
    ("grid: {bins: 0, binMinutes: 60}\nnodes: []\n", "bins"),
    ("grid: {bins: 2, binMinutes: 60}\nnodes:\n - {id: a, kind: const, values: [1]}\n", "values"),
    ("grid: {bins: 2, binMinutes: 60}\nnodes:\n - {id: a, kind: expr, expr: 'b + 1'}\n", "unknown"),
    ("grid: {bins: 2, binMinutes: 60}\nnodes:\n - {id: a, kind: expr, expr: 'FOO(1)'}\n", "FOO"),
    ("grid: {bins: 2, binMinutes: 60}\nnodes:\n - {id: a, kind: expr, expr: 'b'}\n - {id: b, kind: expr, expr: 'a'}\n",
     "cycle"),
    ("grid: {bins: 2, binMinutes: 60}\nnodes:\n - {id: a, kind: const, values: [1, 2]}\n"
     " - {id: a, kind: const, values: [1, 2]}\n", "duplicate"),
    ("grid: {bins: 2, binMinutes: 60}\nnodes:\n - {id: 1a, kind: const, values: [1, 2]}\n", "1a"),
    ("grid: {bins: 2, binMinutes: 60}\nnodes:\n - {id: a, kind: pmf, pmf: {'1': 0.5, '2': 0.6}}\n", "pmf"),
    ("grid: {bins: 2, binMinutes: 60}\nnodes:\n - {id: a, kind: const, values: [.nan, 1]}\n", "finite"),
    ("a: &a [1,2]\nb: &b [*a,*a]\nc: [*b,*b]\n", "anchors"),
    ("grid: [unclosed\n", "YAML"),
    ("!!python/object:os.system {}\n", "tag"),
]


@pytest.mark.parametrize(("text", "needle"), BAD_MODELS)
def test_bad_models_are_400_and_write_nothing(client, ctx, text, needle):
    response = post_run(client, text)
    assert response.status_code == 400, response.json
    assert needle.lower() in json.dumps(response.json).lower()
    assert set(response.json) == ERROR_KEYS
    assert ctx.storage.list_folders("") == []


def test_wrong_content_type_is_415(client):
    response = client.post("/v1/run", json={"grid": {}})
    assert response.status_code == 415 and response.json["code"] == "unsupported_media_type"


def test_empty_body_and_bad_seed_and_bad_provenance(client):
    assert post_run(client, "").status_code == 400
    assert post_run(client, HELLO, "?seed=-1").status_code == 400
    assert post_run(client, HELLO, "?seed=abc").status_code == 400
    assert post_run(client, HELLO, **{"X-Model-Provenance": "{not json"}).status_code == 400


def test_oversized_body_is_413(data_dir):
    from tests.conftest import make_app

    app = make_app(data_dir, max_body_mb=1)
    response = app.test_client().post("/v1/run", data="#" * (2 * 1024 * 1024), content_type="text/plain")
    assert response.status_code == 413 and response.json["code"] == "payload_too_large"
