"""Rescan, stats, health, OpenAPI, unknown routes and methods."""

import shutil

import pytest

from app.migrate import upgrade
from app.registry.locks import file_lock
from tests.conftest import make_app
from tests.helpers import write_run

RUN = "run_20250101T000000Z_00000001"


@pytest.fixture
def data_dir(sample_data_dir):
    write_run(sample_data_dir, RUN, title="Extra", tags=["keep"])
    return sample_data_dir


def test_rescan_and_alias(client):
    client.get("/v1/artifacts")  # first sight adopts the directory
    body = client.post("/v1/artifacts/rescan").json
    assert set(body) == {"added", "updated", "removed", "restored", "unchanged", "skipped", "total", "duration_ms"}
    assert body["unchanged"] == 7 and body["skipped"][0]["path"] == "run_20250924T000000Z_badjson0"
    assert client.post("/v1/artifacts/index").status_code == 200


def test_concurrent_rescan_is_409(client, ctx):
    with file_lock(ctx.config.data_dir / ".rescan.lock"):
        response = client.post("/v1/artifacts/rescan")
    assert response.status_code == 409 and response.json["code"] == "conflict"


def test_stats(client):
    client.get("/v1/artifacts")
    body = client.get("/v1/artifacts/stats").json
    assert body["total"] == 7 and body["archived"] == 1 and body["by_type"] == {"run": 7}
    assert body["skipped"] == 1 and body["created"]["oldest"] == "2025-01-01T00:00:00Z"
    assert {"tag": "keep", "count": 1} in body["top_tags"]
    assert set(body["index"]) >= {"generation", "updated", "artifact_count"}


def test_health(client):
    body = client.get("/healthz").json
    assert body["status"] == "ok" and body["checks"] == {"database": "ok", "storage": "ok", "mirror": "ok"}


def test_openapi_covers_every_route(app, client):
    spec = client.get("/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {path for path in spec["paths"]}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/v1/") and rule.endpoint != "api-docs.openapi_json":
            normalised = rule.rule.replace("<path:", "{").replace("<", "{").replace(">", "}")
            assert normalised in documented, rule.rule


def test_unknown_route_and_wrong_method_are_json(client):
    missing = client.get("/v1/nope")
    assert missing.status_code == 404 and missing.json["code"] == "not_found"
    wrong = client.patch("/v1/artifacts")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"] and wrong.json["status"] == 405


def test_healthz_reports_a_deleted_data_directory(tmp_path):
    """The storage probe is a stat (not a listing of the data root), and a vanished data directory fails it."""
    database = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    upgrade(database)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    app = make_app(data_dir, database_url=database)
    try:
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        shutil.rmtree(data_dir)
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json["checks"]["storage"] == "error: the data directory is missing"
        assert client.get("/v1/healthz").json == {"status": "degraded"}
    finally:
        app.extensions["flowtime"].close()
