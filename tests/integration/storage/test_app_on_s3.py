"""Smoke check: the whole app over S3 storage (moto server) - runs, models, telemetry, files, rescan."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest

from app.registry import maintenance
from tests.conftest import EXAMPLES, make_app

HELLO = (EXAMPLES / "hello.yaml").read_text()


@pytest.fixture
def s3_app(s3_endpoint, s3_bucket, data_dir, tmp_path, monkeypatch):
    import app.storage as storage_package
    from app.storage.s3 import S3Storage

    _, bucket = s3_bucket
    spool = tmp_path / "s3-spool"
    spool.mkdir()
    monkeypatch.setitem(storage_package._BACKENDS, "s3",
                        lambda url, **_options: S3Storage(url, endpoint_url=s3_endpoint, temp_dir=spool))
    application = make_app(data_dir, storage_url=f"s3://{bucket}/prefix")
    # No background mirror thread: it would outlive the per-test bucket; the test syncs it by hand.
    application.extensions["flowtime"].mirror.background = False
    yield application, bucket
    application.extensions["flowtime"].close()


def test_app_runs_and_serves_files_from_s3(s3_app, s3_bucket, data_dir):
    application, bucket = s3_app
    client_s3, _ = s3_bucket
    client = application.test_client()
    assert client.get("/healthz").json["checks"]["storage"] == "ok"

    run = client.post("/v1/run?seed=42", data=HELLO, content_type="text/plain")
    assert run.status_code == 200, run.json
    run_id = run.json["runId"]
    keys = {o["Key"] for o in client_s3.list_objects_v2(Bucket=bucket, Prefix="prefix/")["Contents"]}
    assert f"prefix/{run_id}/run.json" in keys
    assert not any(p.name.startswith(run_id) for p in data_dir.iterdir())  # no artifact bytes on local disk

    listed = client.get("/v1/artifacts").json["artifacts"]
    assert [a["id"] for a in listed] == [run_id]
    files = client.get(f"/v1/artifacts/{run_id}/files").json["files"]
    names = [f["name"] for f in files]
    assert "run.json" in names and "manifest.json" in names
    run_json = client.get(f"/v1/artifacts/{run_id}/files/run.json")
    assert run_json.status_code == 200 and json.loads(run_json.data)["runId"] == run_id
    partial = client.get(f"/v1/artifacts/{run_id}/files/run.json", headers={"Range": "bytes=0-9"})
    assert partial.status_code == 206 and partial.data == run_json.data[:10]
    assert client.get(f"/v1/artifacts/{run_id}/files/nope.csv").status_code == 404

    index = client.get(f"/v1/runs/{run_id}/index").json
    series_id = index["series"][0]["id"]
    csv = client.get(f"/v1/runs/{run_id}/series/{series_id}")
    assert csv.status_code == 200 and csv.data.startswith(b"t,value\n")

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/v1/artifacts/{run_id}/download").data))
    assert "run.json" in " ".join(archive.namelist())

    exported = client.post(f"/v1/runs/{run_id}/export")
    assert exported.status_code in (200, 201), exported.json
    parquet = client.get(f"/v1/runs/{run_id}/export/parquet")
    assert parquet.status_code == 200, parquet.json

    telemetry = client.post("/v1/telemetry", content_type="multipart/form-data", data={
        "file": (io.BytesIO(b"time_bin,arrivals\n2025-01-01T00:00:00Z,10\n2025-01-01T01:00:00Z,20\n"), "a.csv")})
    assert telemetry.status_code == 201, telemetry.json
    model = client.post("/v1/models", data=(EXAMPLES / "shift-test.yaml").read_text(), content_type="text/plain")
    assert model.status_code in (200, 201), model.json

    rescan = client.post("/v1/artifacts/rescan")
    assert rescan.status_code == 200, rescan.json
    assert client.get("/v1/artifacts").json["total"] == 3

    deleted = client.delete(f"/v1/artifacts/{run_id}")
    assert deleted.status_code in (200, 204), deleted.json
    stats = client.get("/v1/artifacts/stats")
    assert stats.status_code == 200, stats.json

    application.extensions["flowtime"].mirror.sync()
    mirror = json.loads(client_s3.get_object(Bucket=bucket, Key="prefix/registry-index.json")["Body"].read())
    assert mirror["version"]
    assert client.get(f"/v1/artifacts/{run_id}/files/registry-index.json").status_code == 404

    ctx = application.extensions["flowtime"]
    with application.app_context():
        candidates = maintenance.purge_candidates(ctx, timedelta(0))
        assert [c["id"] for c in candidates] == [run_id]
        assert maintenance.purge(ctx, candidates).purged == 1
        assert not ctx.storage.exists(run_id)
        ctx.mirror.sync()
        assert maintenance.check_registry(ctx) == []
