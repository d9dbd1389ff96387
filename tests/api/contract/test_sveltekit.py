"""FlowTime's SvelteKit UI (`ui/` at HEAD): each call of CLIENTS.md, checked against its TypeScript interfaces."""

from urllib.parse import quote

from tests.api.contract.binding import check_ts
from tests.api.contract.conftest import LATER, MODEL, RUN

# ui/src/lib/api/types.ts
ARTIFACT = {"id": "string", "type": "string", "title": "string", "created": "string", "tags": "string[]",
            "metadata": "object", "files": "string[]", "totalSize": "number", "lastModified": "string"}
ARTIFACT_LIST = {"artifacts": [ARTIFACT], "total": "number", "count": "number"}
REFERENCE = {"id": "string", "type": "string", "title": "string", "relationshipType?": "string"}
RELATIONSHIPS = {"artifactId": "string", "derivedFrom": [REFERENCE], "derivatives": [REFERENCE], "related": [REFERENCE]}
SERVICE_INFO = {"serviceName": "string", "apiVersion": "string",
                "build": {"version": "string", "commitHash?": "string", "buildTime?": "string", "environment": "string"},
                "status": "string", "startTime": "string", "uptime": "string"}
RUN_SUMMARY = {"runId": "string", "templateId": "string", "templateTitle?": "string", "mode": "string",
               "createdUtc?": "string", "warningCount": "number", "rng?": {"kind": "string", "seed": "number"},
               "inputHash?": "string", "classes?": "string[]"}
RUN_PAGE = {"items": [RUN_SUMMARY], "totalCount": "number", "page": "number", "pageSize": "number"}
# client.ts sends this header on every request, GETs included.
JSON_HEADERS = {"Content-Type": "application/json"}


def get(client, url):
    response = client.get(url, headers=JSON_HEADERS)
    assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:200])
    return response.json


def test_artifacts_page_cards(client):
    body = get(client, "/v1/artifacts?limit=100&sortBy=created&sortOrder=desc")
    check_ts(body, ARTIFACT_LIST)
    assert [a["id"] for a in body["artifacts"]] == [LATER, RUN, MODEL] and body["total"] == 3
    card = next(a for a in body["artifacts"] if a["id"] == RUN)
    assert len(card["files"]) == card["file_count"] > 0 and card["totalSize"] == card["size_bytes"] > 0
    assert len(card["tags"]) == 2


def test_artifact_detail_page_opens_every_file(client):
    detail = get(client, f"/v1/artifacts/{quote(RUN, safe='')}")
    check_ts(detail, ARTIFACT)
    assert "series/demand@DEMAND@DEFAULT.csv" in detail["files"] and "notes.txt" in detail["files"]
    for name in detail["files"]:  # getArtifactFile: encodeURIComponent(name) -> series%2F...
        response = client.get(f"/v1/artifacts/{quote(RUN, safe='')}/files/{quote(name, safe='')}")
        assert response.status_code == 200, name
        assert response.get_data(as_text=True)


def test_relationships(client):
    body = get(client, f"/v1/artifacts/{RUN}/relationships")
    check_ts(body, RELATIONSHIPS)
    assert body["artifactId"] == RUN
    assert [(r["id"], r["relationshipType"]) for r in body["related"]] == [(LATER, "similar-run")]
    unknown = client.get("/v1/artifacts/run_20990101T000000Z_00000000/relationships", headers=JSON_HEADERS)
    assert unknown.status_code == 404 and isinstance(unknown.json["error"], str)


def test_health_page_and_home(client):
    check_ts(get(client, "/v1/healthz?detailed=true"), SERVICE_INFO)
    check_ts(get(client, "/healthz"), {"status": "string"})


def test_runs_list_and_run(client):
    page = get(client, "/v1/runs?page=1&pageSize=50")
    check_ts(page, RUN_PAGE)
    assert [r["runId"] for r in page["items"]] == [LATER, RUN] and page["totalCount"] == 2  # runs only
    assert (page["page"], page["pageSize"]) == (1, 50)
    home = get(client, "/v1/runs?page=1&pageSize=1")
    assert [r["runId"] for r in home["items"]] == [LATER] and home["totalCount"] == 2
    check_ts(get(client, f"/v1/runs/{quote(RUN, safe='')}"), RUN_SUMMARY)


def test_errors_carry_error_text(client):
    for url, status in (("/v1/runs?page=0", 400), ("/v1/runs?pageSize=x", 400), ("/v1/runs?page=-1", 400),
                        ("/v1/runs?pageSize=0", 400), ("/v1/runs?page=1&page=2", 400),
                        ("/v1/runs/run_20990101T000000Z_00000000", 404), (f"/v1/runs/{MODEL}", 404)):
        response = client.get(url, headers=JSON_HEADERS)
        assert response.status_code == status and isinstance(response.json["error"], str), url
        assert set(response.json) == {"error", "code", "status", "details", "request_id"}
    assert get(client, "/v1/runs?pageSize=5000")["pageSize"] == 200  # clamped, as FlowTime does


def test_deleted_runs_leave_the_runs_list(client):
    assert client.delete(f"/v1/artifacts/{LATER}").status_code == 200
    page = get(client, "/v1/runs?page=1&pageSize=50")
    assert [r["runId"] for r in page["items"]] == [RUN] and page["totalCount"] == 1
    assert client.get(f"/v1/runs/{LATER}", headers=JSON_HEADERS).status_code == 404
