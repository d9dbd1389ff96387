"""FlowTime's Blazor UI (M2.7-M2.10 pages): each call of CLIENTS.md, bound as System.Text.Json binds it."""

import io
import json
import zipfile

from tests.api.contract.binding import bind_blazor
from tests.api.contract.conftest import LATER, MODEL, RUN, disk_files
from tests.conftest import EXAMPLES

LIST_ITEM = {"Id": "string?", "Type": "string?", "Title": "string?", "Created": "DateTime", "Tags": ["string"],
             "TotalSize": "long?", "Files": ["string"]}
LIST = {"Artifacts": [LIST_ITEM], "Total": "int", "Count": "int"}
DETAIL = {"Id": "string", "Type": "string", "Title": "string", "Created": "DateTime", "Tags": ["string"],
          "Metadata": "dict?", "Files": ["string"], "TotalSize": "long", "LastModified": "DateTime"}
BULK = {"Success": "bool", "Processed": "int", "Archived": "int?", "Deleted": "int?",
        "Results": [{"Id": "string", "Success": "bool", "Error": "string?"}]}
HEALTH = {"status": "string"}
DETAILED_HEALTH = {"serviceName": "string?", "apiVersion": "string?",
                   "build": {"version": "string?", "commitHash": "string?", "buildTime": "string?",
                             "environment": "string?"},
                   "capabilities": {"supportedFormats": ["string"], "features": ["string"]},
                   "runtime": {"startTime": "string?", "uptime": "string?", "platform": "string?"},
                   "health": {"status": "string?", "lastCheckTime": "string?"}}
RUN_RESPONSE = {"grid": {"bins": "int", "binMinutes": "int"}, "order": ["string"], "series": ("map", ["double"]),
                "runId": "string", "artifactsPath": "string?"}
GRAPH = {"nodes": ["string"], "order": ["string"], "edges": [{"id": "string", "inputs": ["string"]}]}
SERIES_INDEX = {"SchemaVersion": "int", "Grid": {"Bins": "int", "BinMinutes": "int?"},
                "Series": [{"Id": "string", "Kind": "string", "Path": "string"}]}
JSON_UTF8 = "application/json; charset=utf-8"
HELLO = (EXAMPLES / "hello.yaml").read_text()


def test_artifacts_page_list(client, data_dir):
    query = "type=run&tags=baseline%2Cclamp&createdAfter=2025-01-01T00:00:00Z&limit=1000"
    bound = bind_blazor(client.get(f"/v1/artifacts?{query}").json, LIST)
    assert [a["Id"] for a in bound["Artifacts"]] == [RUN] and bound["Total"] == bound["Count"] == 1
    everything = bind_blazor(client.get("/v1/artifacts?limit=1000").json, LIST)
    assert {a["Id"] for a in everything["Artifacts"]} == {RUN, LATER, MODEL}
    for item in everything["Artifacts"]:  # the Size column and its sort: totalSize in bytes
        on_disk = disk_files(data_dir, client.get(f"/v1/artifacts/{item['Id']}").json["path"])
        assert item["TotalSize"] == sum(on_disk.values()) > 0
        assert sorted(item["Files"]) == sorted(on_disk)
    search = bind_blazor(client.get("/v1/artifacts?search=capacity&limit=1000").json, LIST)
    assert RUN in [a["Id"] for a in search["Artifacts"]]


def test_artifact_detail_page(client, data_dir):
    bound = bind_blazor(client.get(f"/v1/artifacts/{RUN}").json, DETAIL)
    on_disk = disk_files(data_dir, RUN)
    assert sorted(bound["Files"]) == sorted(on_disk) and bound["TotalSize"] == sum(on_disk.values())
    assert bound["LastModified"] >= bound["Created"] and bound["Tags"] == ["baseline", "clamp"]
    assert isinstance(bound["Metadata"], dict)
    assert client.get("/v1/artifacts/run_20990101T000000Z_00000000").status_code == 404


def test_download_and_file_viewer(client):
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/v1/artifacts/{RUN}/download").data))
    assert "run.json" in {n.rsplit("/", 1)[-1] for n in archive.namelist()}
    names = bind_blazor(client.get(f"/v1/artifacts/{RUN}").json, DETAIL)["Files"]
    for name in (n for n in names if "/" not in n):  # FileViewer: one path segment
        response = client.get(f"/v1/artifacts/{RUN}/files/{name}")
        assert response.status_code == 200 and response.data.decode("utf-8")


def test_archive_and_bulk_delete(client):
    body = json.dumps([LATER, "run_20990101T000000Z_00000000"])
    archived = bind_blazor(client.post("/v1/artifacts/archive", data=body, content_type=JSON_UTF8).json, BULK)
    assert archived["Processed"] == 2 and archived["Archived"] == 1 and archived["Success"] is False
    assert [r["Success"] for r in archived["Results"]] == [True, False] and archived["Results"][1]["Error"]
    assert LATER not in [a["Id"] for a in bind_blazor(client.get("/v1/artifacts?limit=1000").json, LIST)["Artifacts"]]
    shown = bind_blazor(client.get("/v1/artifacts?limit=1000&includeArchived=true").json, LIST)["Artifacts"]
    assert "archived" in next(a for a in shown if a["Id"] == LATER)["Tags"]
    deleted = bind_blazor(client.post("/v1/artifacts/bulk-delete", data=json.dumps([RUN]), content_type=JSON_UTF8).json,
                          BULK)
    assert deleted["Deleted"] == 1 and client.get(f"/v1/artifacts/{RUN}").status_code == 404


def test_health_lights(client):
    assert bind_blazor(client.get("/v1/healthz").json, HEALTH)["status"]
    detailed = bind_blazor(client.get("/v1/healthz?detailed=true").json, DETAILED_HEALTH)
    assert detailed["serviceName"] and detailed["build"]["version"]
    assert bind_blazor(client.get("/healthz").json, HEALTH)["status"] == "ok"


def test_run_graph_export_series_and_index(client):
    response = client.post("/v1/run", data=HELLO.encode(), content_type="text/plain; charset=utf-8")
    run = bind_blazor(response.json, RUN_RESPONSE)
    assert run["order"] == ["demand", "served"] and run["series"]["served"] == [8.0] * 8
    bad = client.post("/v1/run", data=b"grid: [", content_type="text/plain; charset=utf-8")
    assert bad.status_code == 400 and bind_blazor(bad.json, {"error": "string"})["error"]
    graph = bind_blazor(client.post("/v1/graph", data=HELLO.encode(), content_type="text/plain; charset=utf-8").json,
                        GRAPH)
    assert {"id": "served", "inputs": ["demand"]} in graph["edges"]
    run_id = run["runId"]
    assert client.post(f"/v1/runs/{run_id}/export").status_code == 200
    for fmt in ("csv", "ndjson", "parquet"):
        assert client.get(f"/v1/runs/{run_id}/export/{fmt}").status_code == 200
    csv = client.get(f"/v1/runs/{run_id}/series/served@SERVED@DEFAULT")
    assert csv.mimetype == "text/csv" and csv.data.decode().splitlines()[0] == "t,value"
    index = bind_blazor(client.get(f"/v1/runs/{run_id}/index").json, SERIES_INDEX)
    assert [s["Id"] for s in index["Series"]] == ["served@SERVED@DEFAULT"]
