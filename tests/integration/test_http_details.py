"""HTTP details clients rely on: 304 for artifact JSON and series, Content-Range on every 416, zip entry times."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLES
from tests.helpers import ERROR_KEYS


def _run(client) -> str:
    response = client.post("/v1/run?seed=1", data=(EXAMPLES / "hello.yaml").read_bytes(),
                           headers={"Content-Type": "text/plain"})
    assert response.status_code == 200, response.json
    return response.json["runId"]


def test_artifact_json_answers_304_for_its_etag(client):
    run_id = _run(client)
    first = client.get(f"/v1/artifacts/{run_id}")
    etag = first.headers["ETag"]
    again = client.get(f"/v1/artifacts/{run_id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get(f"/v1/artifacts/{run_id}", headers={"If-None-Match": f"W/{etag}, \"x\""}).status_code == 304
    assert client.get(f"/v1/artifacts/{run_id}", headers={"If-None-Match": '"other"'}).status_code == 200
    client.patch(f"/v1/artifacts/{run_id}", json={"title": "changed"})
    changed = client.get(f"/v1/artifacts/{run_id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_series_and_index_answer_304_and_ranges(client):
    run_id = _run(client)
    index = client.get(f"/v1/runs/{run_id}/index")
    series_id = index.json["series"][0]["id"]
    series = client.get(f"/v1/runs/{run_id}/series/{series_id}")
    assert series.status_code == 200 and series.mimetype == "text/csv" and series.headers["ETag"]
    for response in (index, series):
        url = response.request.path
        assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    part = client.get(series.request.path, headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and part.data == series.data[:4]
    refused = client.get(series.request.path, headers={"Range": f"bytes={len(series.data) + 10}-"})
    assert refused.status_code == 416 and refused.headers["Content-Range"] == f"bytes */{len(series.data)}"


def test_a_static_asset_416_carries_content_range(client):
    asset = client.get("/ui/static/css/app.css")
    size = len(asset.data)
    asset.close()
    refused = client.get("/ui/static/css/app.css", headers={"Range": f"bytes={size + 100}-"})
    assert refused.status_code == 416 and refused.headers["Content-Range"] == f"bytes */{size}"
    assert refused.json["code"] == "requested_range_not_satisfiable"


def test_invalid_json_says_so(client):
    response = client.post("/v1/templates/baseline/instantiate", data=b'{"title": ', content_type="application/json")
    assert response.status_code == 400 and response.json["details"] == {"body": ["Invalid JSON body."]}


def test_zip_entries_carry_the_files_modification_times(client, data_dir):
    run_id = _run(client)
    folder = next(p for p in data_dir.rglob("run.json") if run_id in str(p)).parent
    stamp = time.mktime((2024, 3, 5, 6, 7, 8, 0, 0, -1))
    os.utime(folder / "run.json", (stamp, stamp))
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/v1/artifacts/{run_id}/download").data))
    assert archive.getinfo(f"{run_id}/run.json").date_time == (2024, 3, 5, 6, 7, 8)
    assert all(info.date_time != (1980, 1, 1, 0, 0, 0) for info in archive.infolist())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(min_size=1, max_size=40).filter(lambda b: not _is_json(b)))
def test_invalid_json_keeps_the_parsers_detail_and_writes_nothing(client, data_dir, body):
    before = sorted(p.name for p in data_dir.iterdir())
    response = client.post("/v1/templates/baseline/instantiate", data=body, content_type="application/json")
    assert response.status_code == 400 and set(response.json) == ERROR_KEYS
    assert "body" in response.json["details"], response.json
    assert sorted(p.name for p in data_dir.iterdir()) == before


def _is_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except ValueError:
        return False
    return True


def test_a_big_upload_is_imported_from_the_spool_and_leaves_nothing_there(client, data_dir):
    rows = b"".join(b"2025-01-01T%02d:%02d:00Z,%d\n" % (i // 60 % 24, i % 60, i) for i in range(60_000))
    body = b"time_bin,arrivals\n" + rows
    assert len(body) > 1024 * 1024
    response = client.post("/v1/telemetry", data={"file": (io.BytesIO(body), "big.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    stored = client.get(f"/v1/artifacts/{response.json['id']}/files/data.csv")
    assert stored.status_code == 200 and stored.data == body
    assert list((data_dir / ".uploads").iterdir()) == []
    bad = client.post("/v1/telemetry", data={"file": (io.BytesIO(b"\x00" * 600_000), "bad.csv")},
                      content_type="multipart/form-data")
    assert bad.status_code == 400 and list((data_dir / ".uploads").iterdir()) == []
