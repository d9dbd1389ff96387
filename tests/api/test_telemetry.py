"""POST /v1/telemetry: shapes, registration, compare with runs, and bad uploads that leave nothing."""

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import make_app

WIDE = b"time_bin,arrivals,served\n2025-01-01T00:00:00Z,10,8\n2025-01-01T01:00:00Z,20,16\n2025-01-01T02:00:00Z,30,24\n"


def upload(client, data: bytes, name="data.csv", **fields):
    body = {"file": (io.BytesIO(data), name), **fields}
    return client.post("/v1/telemetry", data=body, content_type="multipart/form-data")


def leftovers(ctx):
    uploads = ctx.config.data_dir / ".uploads"
    spooled = list(uploads.iterdir()) if uploads.exists() else []
    return ctx.storage.list_folders("telemetry") + spooled


def test_wide_csv_becomes_a_registered_telemetry_artifact(client, ctx):
    response = upload(client, WIDE, title="Checkout telemetry", tags="prod, q1")
    assert response.status_code == 201, response.json
    artifact = response.json
    assert artifact["type"] == "telemetry" and artifact["source"] == "import"
    assert artifact["capabilities"] == ["replay", "compare"] and artifact["tags"] == ["prod", "q1"]
    assert artifact["series_count"] == 2 and artifact["title"] == "Checkout telemetry"
    assert ctx.storage.read_bytes(f"{artifact['path']}/data.csv") == WIDE
    files = {f["name"] for f in client.get(f"/v1/artifacts/{artifact['id']}/files").json["files"]}
    assert files == {"data.csv", "catalog.json", "metadata.json"}
    assert client.get("/v1/artifacts?type=telemetry").json["total"] == 1


def test_parquet_is_recognised_by_content(client):
    sink = io.BytesIO()
    pq.write_table(pa.table({"t": [0, 1, 2], "value": [1.0, 2.0, 3.0]}), sink)
    response = upload(client, sink.getvalue(), name="upload.bin")
    assert response.status_code == 201 and response.json["metadata"]["format"] == "parquet"


def test_telemetry_compares_with_a_run(client):
    telemetry = upload(client, WIDE).json["id"]
    run = client.post("/v1/run", data="grid: {bins: 3, binMinutes: 60}\nnodes:\n"
                      " - {id: arrivals, kind: const, values: [10, 20, 40]}\n", content_type="text/plain").json
    body = client.post(f"/v1/artifacts/{run['runId']}/compare", json={"other": telemetry}).json
    (series,) = body["series"]
    assert series["measure"] == "arrivals" and series["delta"]["sum"] == -10
    assert body["only_in_other"] == ["served@SERVED"]


@pytest.mark.parametrize(
    ("data", "name", "needle"),
    [
        (b"", "a.csv", "empty"),
        (b"t,value\n", "a.csv", "header"),
        (b"t,value\n0,1\n1,2,3\n", "a.csv", "row"),
        (b"t,name\n0,x\n1,y\n", "a.csv", "numeric"),
        (b"t,a,a\n0,1,2\n", "a.csv", "duplicate"),
        ("t,value\n0,1\n".encode("utf-16"), "a.csv", "UTF"),
        (b"PAR1garbagePAR1", "a.parquet", "parquet"),
        (b"t,value\n0,1\n", "a.parquet", "parquet"),
    ],
)
def test_bad_files_are_400_and_leave_nothing(client, ctx, data, name, needle):
    response = upload(client, data, name=name)
    assert response.status_code == 400, response.json
    assert needle.lower() in str(response.json).lower()
    assert leftovers(ctx) == []
    assert client.get("/v1/artifacts?type=telemetry").json["total"] == 0


def test_missing_file_and_unknown_fields(client):
    assert client.post("/v1/telemetry", data={"title": "x"}, content_type="multipart/form-data").status_code == 400
    assert upload(client, WIDE, color="red").status_code == 400
    assert client.post("/v1/telemetry", json={"file": "x"}).status_code == 400
    assert upload(client, WIDE, tags="bad tag!").status_code == 400


def test_upload_cap_is_exact(data_dir):
    app = make_app(data_dir, max_upload_mb=1)
    client = app.test_client()
    limit = 1024 * 1024
    header = b"t,value\n"
    row = b"0,1\n"
    body = header + row * ((limit - len(header)) // len(row))
    body += b"#" * 0
    exact = body + b"\n" * (limit - len(body))
    assert len(exact) == limit
    assert upload(client, exact).status_code == 201
    over = upload(client, exact + b"\n")
    assert over.status_code == 413 and over.json["code"] == "payload_too_large"
    way_over = upload(client, exact * 3)
    assert way_over.status_code == 413
    assert client.get("/v1/artifacts?type=telemetry").json["total"] == 1
    assert not list((data_dir / ".uploads").iterdir())
