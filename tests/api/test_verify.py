"""POST /v1/artifacts/{id}/verify: re-run from spec.yaml + seed, compare with manifest.seriesHashes, on every backend."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import EXAMPLES, SAMPLE_DATA
from tests.helpers import ERROR_KEYS, write_described

# The adopted .NET runs of the sample data that carry spec.yaml and a manifest with seed and series hashes.
DOTNET_REPRODUCIBLE = ["run_20250921T161133Z_0bcdbb6f", "run_20250922T090000Z_1a2b3c4d",
                       "run_20250925T101010Z_77aa88bb", "run_20251002T141500Z_9f8e7d6c", "run_deterministic_4bbc610e"]
NO_MANIFEST = "run_20250923T120000Z_0000aaaa"
NO_SPEC = "run_20250921T161133Z_0bcdbb70"


@pytest.fixture
def data_dir(data_dir):
    shutil.copytree(SAMPLE_DATA, data_dir, dirs_exist_ok=True)
    write_described(data_dir, "model", "model_20250115T000000Z_0000000a", title="A model")
    shutil.copytree(data_dir / DOTNET_REPRODUCIBLE[0], data_dir / NO_SPEC)
    (data_dir / NO_SPEC / "spec.yaml").unlink()
    return data_dir


def run(client, spec: str, seed: int = 7) -> str:
    response = client.post(f"/v1/run?seed={seed}", data=spec, content_type="text/plain")
    assert response.status_code == 200, response.json
    return response.json["runId"]


def verify(client, artifact_id: str):
    return client.post(f"/v1/artifacts/{artifact_id}/verify")


def storage(app):
    return app.extensions["flowtime"].storage


def scratch_left(data_dir) -> list:
    return [p.name for p in data_dir.iterdir() if p.name.startswith(".tmp-verify-")]


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_every_flowtime_example_reproduces(client, data_dir, example):
    run_id = run(client, (EXAMPLES / example).read_text())
    response = verify(client, run_id)
    assert response.status_code == 200, response.json
    verdict = response.json
    assert verdict["reproducible"] is True, verdict
    assert verdict["artifact_id"] == run_id and verdict["checked_series"] >= 1
    assert verdict["mismatched"] == [] and verdict["missing"] == [] and verdict["engine_version"]
    assert client.get(f"/v1/artifacts/{run_id}").json["verification"] == verdict
    assert scratch_left(data_dir) == []


@pytest.mark.parametrize("run_id", DOTNET_REPRODUCIBLE)
def test_adopted_dotnet_runs_reproduce_byte_for_byte(client, run_id):
    verdict = verify(client, run_id).json
    assert verdict["reproducible"] is True, verdict
    assert verdict["checked_series"] == len(client.get(f"/v1/artifacts/{run_id}").json["metadata"]["series"])


def test_a_tampered_series_is_named_with_its_first_differing_line(app, client):
    run_id = run(client, (EXAMPLES / "hello.yaml").read_text())
    key = f"{run_id}/series/served@SERVED@DEFAULT.csv"
    data = bytearray(storage(app).read_bytes(key))
    position = data.index(b"\n", data.index(b"\n") + 1) - 1  # last byte of the first data line
    data[position] = ord("9") if data[position] != ord("9") else ord("8")
    storage(app).write_bytes(key, bytes(data))
    verdict = verify(client, run_id).json
    assert verdict["reproducible"] is False
    assert verdict["mismatched"] == ["served@SERVED@DEFAULT"] and verdict["missing"] == []
    difference = verdict["differences"][0]
    assert difference["series"] == "served@SERVED@DEFAULT" and difference["line"] == 2
    assert "stored file differs" in difference["reason"] and difference["expected"] != difference["actual"]
    listed = client.get("/v1/artifacts?verified=false").json
    assert [a["id"] for a in listed["artifacts"]] == [run_id]


def test_a_series_the_rerun_does_not_produce_is_missing(app, client):
    run_id = run(client, (EXAMPLES / "hello.yaml").read_text())
    key = f"{run_id}/manifest.json"
    text = storage(app).read_bytes(key).replace(b'"seriesHashes": {', b'"seriesHashes": {"ghost@GHOST@DEFAULT": "sha256:00", ')
    storage(app).write_bytes(key, text)
    verdict = verify(client, run_id).json
    assert verdict["reproducible"] is False and verdict["missing"] == ["ghost@GHOST@DEFAULT"]


def test_an_engine_failure_is_a_verdict_and_leaves_no_scratch_folder(app, client, data_dir):
    run_id = run(client, (EXAMPLES / "hello.yaml").read_text())
    storage(app).write_bytes(f"{run_id}/spec.yaml", b"grid: {bins: 3, binMinutes: 60}\nnodes: [{id: x, kind: nonsense}]\n")
    before = client.get("/v1/artifacts?include_archived=true").json["total"]
    verdict = verify(client, run_id).json
    assert verdict["reproducible"] is False and "engine could not re-run" in verdict["error"]
    assert scratch_left(data_dir) == []
    assert client.get("/v1/artifacts?include_archived=true").json["total"] == before


@pytest.mark.parametrize("artifact_id, reason", [
    ("model_20250115T000000Z_0000000a", "not_a_run"),
    (NO_MANIFEST, "no_seed"),
])
def test_what_cannot_be_verified_is_a_409_saying_why(client, artifact_id, reason):
    response = verify(client, artifact_id)
    assert response.status_code == 409
    body = response.json
    assert set(body) == ERROR_KEYS and body["code"] == "not_verifiable"
    assert body["details"]["reason"] == [reason] and "cannot be verified" in body["error"]


def test_no_spec_is_a_409(client):
    response = verify(client, NO_SPEC)
    assert response.status_code == 409 and response.json["details"]["reason"] == ["no_spec"]


def test_unknown_is_404(client):
    assert verify(client, "run_20990101T000000Z_ffffffff").status_code == 404


def test_the_verdict_is_filterable_and_counted(client):
    for run_id in DOTNET_REPRODUCIBLE[:2]:
        verify(client, run_id)
    listed = client.get("/v1/artifacts?verified=true&include_archived=true&sort=id&order=asc").json
    assert [a["id"] for a in listed["artifacts"]] == DOTNET_REPRODUCIBLE[:2]
    assert client.get("/v1/artifacts?verified=false").json["total"] == 0
    stats = client.get("/v1/artifacts/stats").json
    assert stats["verified"] == {"reproducible": 2, "not_reproducible": 0}


def test_the_verdict_survives_a_rescan(client):
    verify(client, DOTNET_REPRODUCIBLE[0])
    client.post("/v1/artifacts/rescan")
    assert client.get(f"/v1/artifacts/{DOTNET_REPRODUCIBLE[0]}").json["verification"]["reproducible"] is True
