"""What FlowTime's own .NET tests assert: scanner rules, provenance, modelHash and content types."""

import json

import pytest
import yaml

from app.registry.sync.rescan import rescan
from tests.api.contract.conftest import RUN
from tests.conftest import EXAMPLES

HELLO = (EXAMPLES / "hello.yaml").read_text()
OTHER = HELLO.replace("demand * 0.8", "demand * 0.5")
BLOCK = ("provenance:\n  source: flowtime-sim\n  templateId: it-system\n  modelId: model_sim_1\n"
         "  parameters:\n    bins: 8\n")


def post_run(client, text, *headers):
    return client.post("/v1/run", data=text.encode(), content_type="text/plain; charset=utf-8",
                       headers=[("X-Model-Provenance", h) for h in headers])


def read(client, run_id, name) -> str:
    """A file of a run folder, through the API (the folder may live in S3)."""
    response = client.get(f"/v1/artifacts/{run_id}/files/{name}")
    assert response.status_code == 200, name
    return response.get_data(as_text=True)


def has_file(client, run_id, name) -> bool:
    return name in client.get(f"/v1/artifacts/{run_id}").json["files"]


@pytest.fixture
def odd_folders(data_dir):
    """A folder holding only `run.json` = `{}`, and one whose only manifest.json is not JSON."""
    (data_dir / "run_20250101T000000Z_0000dead").mkdir()
    (data_dir / "run_20250101T000000Z_0000dead" / "run.json").write_text("{}")
    (data_dir / "run_20250101T000001Z_0000beef").mkdir()
    (data_dir / "run_20250101T000001Z_0000beef" / "manifest.json").write_text("{not json")
    return data_dir


def test_empty_run_json_alone_is_not_an_artifact(odd_folders, app, client):
    report = rescan(app.extensions["flowtime"])
    reasons = {s["path"]: s["reason"] for s in report.skipped}
    assert "empty object" in reasons["run_20250101T000000Z_0000dead"]
    assert "manifest.json" in reasons["run_20250101T000001Z_0000beef"]
    for artifact_id in reasons:
        assert client.get(f"/v1/artifacts/{artifact_id}").status_code == 404
    assert client.get("/v1/artifacts/stats").json["skipped"] == 2


def test_header_provenance_json_and_bare_id(client):
    as_json = post_run(client, HELLO, json.dumps({"source": "flowtime-sim", "templateId": "it-system",
                                                  "modelId": "model_a"})).json["runId"]
    bare = post_run(client, HELLO, "  model_b  ").json["runId"]
    first = post_run(client, HELLO, "model_c", "model_d").json["runId"]
    empty = post_run(client, HELLO, "   ").json["runId"]
    assert json.loads(read(client, bare, "provenance.json"))["modelId"] == "model_b"
    assert json.loads(read(client, first, "manifest.json"))["provenance"]["modelId"] == "model_c"
    assert not has_file(client, empty, "provenance.json")
    assert "provenance" not in json.loads(read(client, empty, "manifest.json"))
    assert [a["id"] for a in client.get("/v1/artifacts?modelId=model_a").json["artifacts"]] == [as_json]
    assert [a["id"] for a in client.get("/v1/artifacts?modelId=model_b").json["artifacts"]] == [bare]
    for bad in ("{not json", "[1]", "no spaces allowed", '{"modelId": 7}'):
        response = post_run(client, HELLO, bad)
        assert response.status_code == 400 and "X-Model-Provenance" in json.dumps(response.json), bad


def test_embedded_provenance_block(client):
    response = post_run(client, HELLO + BLOCK)
    assert response.status_code == 200
    run_id = response.json["runId"]
    stored = json.loads(read(client, run_id, "provenance.json"))
    assert stored["templateId"] == "it-system" and stored["modelId"] == "model_sim_1" and stored["receivedAt"]
    summary = json.loads(read(client, run_id, "manifest.json"))["provenance"]
    assert (summary["hasProvenance"], summary["modelId"], summary["templateId"]) == (True, "model_sim_1", "it-system")
    spec = read(client, run_id, "spec.yaml")
    assert "provenance" not in yaml.safe_load(spec) and spec == HELLO
    header_wins = post_run(client, HELLO + BLOCK, json.dumps({"modelId": "model_header"})).json["runId"]
    assert json.loads(read(client, header_wins, "manifest.json"))["provenance"]["modelId"] == "model_header"
    ignored = post_run(client, HELLO + "provenance: {}\n").json["runId"]
    assert not has_file(client, ignored, "provenance.json")


@pytest.mark.parametrize("value", ["just-a-string", "[1, 2]", "42"])
def test_non_mapping_provenance_is_a_400_naming_it(client, value):
    response = post_run(client, HELLO + f"provenance: {value}\n")
    assert response.status_code == 400 and "provenance" in response.json["error"]


def test_template_and_model_filters_are_exact_case_sensitive_and_anded(client):
    both = post_run(client, HELLO + BLOCK).json["runId"]
    post_run(client, HELLO, json.dumps({"templateId": "it-system", "modelId": "model_other"}))
    assert len(client.get("/v1/artifacts?templateId=it-system").json["artifacts"]) == 2
    anded = client.get("/v1/artifacts?templateId=it-system&modelId=model_sim_1").json["artifacts"]
    assert [a["id"] for a in anded] == [both]
    for miss in ("templateId=IT-System", "templateId=it-sys", "modelId=MODEL_SIM_1", "templateId=it-system&modelId=x"):
        assert client.get(f"/v1/artifacts?{miss}").json["total"] == 0, miss


def test_model_hash(client):
    plain = [post_run(client, HELLO).json for _ in range(3)]
    with_header = post_run(client, HELLO, json.dumps({"modelId": "model_a"})).json
    embedded = post_run(client, HELLO + BLOCK).json
    other = post_run(client, OTHER).json
    assert len({r["runId"] for r in plain}) == 3
    assert {r["modelHash"] for r in [*plain, with_header, embedded]} == {plain[0]["modelHash"]}
    assert other["modelHash"] != plain[0]["modelHash"] and plain[0]["modelHash"].startswith("sha256:")


def test_content_types(client):
    run_id = post_run(client, HELLO).json["runId"]
    assert client.get(f"/v1/runs/{run_id}/series/served@SERVED@DEFAULT").mimetype == "text/csv"
    client.post(f"/v1/runs/{run_id}/export")
    parquet = client.get(f"/v1/runs/{run_id}/export/parquet")
    assert parquet.mimetype == "application/octet-stream" and parquet.data[:4] == b"PAR1"
    assert parquet.headers["Content-Disposition"] == f"attachment; filename={run_id}.parquet"
    missing = client.get(f"/v1/runs/{RUN}/index")  # RUN's folder has no series/index.json
    assert missing.status_code == 404 and "not found" in missing.json["error"]
