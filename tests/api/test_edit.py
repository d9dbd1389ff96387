"""PUT/PATCH, DELETE, restore, archive and bulk delete."""

import pytest

from tests.api.conftest import ON_EACH_DATABASE
from tests.helpers import field_names, write_run

RUN = "run_20250101T000000Z_00000001"
OTHER = "run_20250201T000000Z_00000002"


@pytest.fixture
def data_dir(data_dir):
    write_run(data_dir, RUN, title="Original", tags=["a"])
    write_run(data_dir, OTHER, title="Other")
    return data_dir


def test_partial_update_and_etag(client):
    before = client.get(f"/v1/artifacts/{RUN}")
    etag = before.headers["ETag"]
    response = client.patch(f"/v1/artifacts/{RUN}", json={"title": "New title"})
    assert response.status_code == 200
    assert response.json["title"] == "New title" and response.json["tags"] == ["a"]
    assert response.headers["ETag"] != etag
    stale = client.put(f"/v1/artifacts/{RUN}", json={"tags": ["b"]}, headers={"If-Match": etag})
    assert stale.status_code == 412
    fresh = client.put(f"/v1/artifacts/{RUN}", json={"tags": ["b", "b", "c"]},
                       headers={"If-Match": response.headers["ETag"]})
    assert fresh.status_code == 200 and fresh.json["tags"] == ["b", "c"]
    assert client.get("/v1/artifacts?search=new").json["artifacts"][0]["id"] == RUN


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"), ({"title": "x" * 201}, "title"), ({"description": "x" * 10_001}, "description"),
        ({"tags": ["bad tag"]}, "tags"), ({"tags": [f"t{i}" for i in range(51)]}, "tags"),
        ({"tags": "a"}, "tags"), ({"title": 5}, "title"), ({"id": "x"}, "id"), ({"created": "x"}, "created"),
        ({"unknown": 1}, "unknown"), ({"title": float("nan")}, "title"),
    ],
)
@ON_EACH_DATABASE
def test_invalid_updates_are_400_with_field_details_and_change_nothing(client, body, field):
    response = client.put(f"/v1/artifacts/{RUN}", json=body)
    assert response.status_code == 400, response.json
    assert field in field_names(response.json["details"])
    assert client.get(f"/v1/artifacts/{RUN}").json["title"] == "Original"


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"{not json", b"null", b"42"])
@ON_EACH_DATABASE
def test_non_object_bodies_are_400(client, raw):
    response = client.put(f"/v1/artifacts/{RUN}", data=raw, content_type="application/json")
    assert response.status_code == 400 and response.json["code"] == "validation_error"


def test_update_of_unknown_artifact_is_404(client):
    assert client.put("/v1/artifacts/run_20990101T000000Z_00000000", json={"title": "x"}).status_code == 404


def test_soft_delete_restore_cycle(client):
    deleted = client.delete(f"/v1/artifacts/{RUN}")
    assert deleted.status_code == 200 and deleted.json["deleted_at"].endswith("Z")
    assert client.delete(f"/v1/artifacts/{RUN}").status_code == 200  # idempotent
    assert client.get(f"/v1/artifacts/{RUN}").status_code == 404
    assert client.get(f"/v1/artifacts/{RUN}?include_deleted=true").status_code == 200
    assert [a["id"] for a in client.get("/v1/artifacts").json["artifacts"]] == [OTHER]
    assert client.get("/v1/artifacts?include_deleted=true").json["total"] == 2
    assert client.post("/v1/artifacts/rescan").json["restored"] == 0
    restored = client.post(f"/v1/artifacts/{RUN}/restore")
    assert restored.status_code == 200 and restored.json["deleted_at"] is None


def test_archive_hides_until_asked(client):
    body = client.post("/v1/artifacts/archive", json=[RUN, "run_20990101T000000Z_00000000", "../etc"]).json
    assert body["processed"] == 3 and body["archived"] == 1 and body["success"] is False
    assert [r["success"] for r in body["results"]] == [True, False, False]
    assert client.get("/v1/artifacts").json["total"] == 1
    assert client.get("/v1/artifacts?includeArchived=true").json["total"] == 2
    assert "archived" in client.get(f"/v1/artifacts/{RUN}").json["tags"]


def test_bulk_delete_is_soft_and_reports_invalid_ids(client, ctx):
    body = client.post("/v1/artifacts/bulk-delete", json={"ids": [RUN, OTHER, "/abs/path", 7]}).json
    assert body["deleted"] == 2 and body["processed"] == 4
    assert ctx.storage.exists(f"{RUN}/run.json")
    assert client.get("/v1/artifacts").json["total"] == 0


@pytest.mark.parametrize("raw", [b'{"a": 1}', b'"x"', b"nope"])
@ON_EACH_DATABASE
def test_bulk_bodies_must_be_lists(client, raw):
    response = client.post("/v1/artifacts/bulk-delete", data=raw, content_type="application/json")
    assert response.status_code == 400


def test_relationships_endpoint(client):
    body = client.get(f"/v1/artifacts/{RUN}/relationships").json
    assert {k: body[k] for k in ("artifact_id", "derived_from", "generates")} == {
        "artifact_id": RUN, "derived_from": [], "generates": []}
    assert (body["artifactId"], body["derivedFrom"], body["derivatives"]) == (RUN, [], [])
    # OTHER was created in the same hour (both folders say 2025-01-01): FlowTime's "similar-run"
    assert [(r["id"], r["relationshipType"]) for r in body["related"]] == [(OTHER, "similar-run")]
