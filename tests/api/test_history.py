"""GET /v1/artifacts/{id}/history: every change of an artifact's user state, newest first."""

import pytest

from tests.api.conftest import ON_EACH_DATABASE
from tests.conftest import make_app
from tests.helpers import ERROR_KEYS, write_run

RUN = "run_20250101T000000Z_00000001"
MODEL_RUN = "run_20250201T000000Z_00000002"


@pytest.fixture
def data_dir(data_dir):
    write_run(data_dir, RUN, title="Original", tags=["a"])
    write_run(data_dir, MODEL_RUN, title="Other")
    return data_dir


def history(client, artifact_id=RUN, **query):
    response = client.get(f"/v1/artifacts/{artifact_id}/history", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def test_a_new_artifact_has_no_history(client):
    assert history(client) == {"artifact_id": RUN, "history": [], "next_cursor": None}


def test_every_kind_of_edit_is_recorded_newest_first(client):
    client.patch(f"/v1/artifacts/{RUN}", json={"title": "Renamed", "tags": ["a", "b"]})
    client.put(f"/v1/artifacts/{RUN}", json={"description": "why"})
    client.post(f"/v1/artifacts/{RUN}/relationships", json={"derived_from": [MODEL_RUN]})
    client.post("/v1/artifacts/archive", json=[RUN])
    client.delete(f"/v1/artifacts/{RUN}")
    client.post(f"/v1/artifacts/{RUN}/restore")
    entries = history(client)["history"]
    assert [sorted(e["changes"]) for e in entries] == [
        ["deleted"], ["deleted"], ["archived", "tags"], ["derived_from"], ["description"], ["tags", "title"]]
    assert entries[-1]["changes"] == {"title": {"from": "Original", "to": "Renamed"},
                                      "tags": {"from": ["a"], "to": ["a", "b"]}}
    assert entries[0]["changes"] == {"deleted": {"from": True, "to": False}}
    assert entries[2]["changes"]["archived"] == {"from": False, "to": True}
    assert entries[3]["changes"]["derived_from"] == {"from": [], "to": [MODEL_RUN]}
    assert all(e["actor"] == "anonymous" and e["at"].endswith("Z") for e in entries)
    generations = [e["generation"] for e in entries]
    assert generations == sorted(generations, reverse=True)


def test_an_edit_that_changes_nothing_records_nothing(client):
    client.patch(f"/v1/artifacts/{RUN}", json={"title": "Original"})
    client.delete(f"/v1/artifacts/{RUN}")
    client.delete(f"/v1/artifacts/{RUN}")  # idempotent: already deleted
    assert len(history(client)["history"]) == 1


def test_pages_follow_next_cursor_to_the_first_edit(client):
    for n in range(7):
        client.patch(f"/v1/artifacts/{RUN}", json={"title": f"Title {n}"})
    seen, cursor = [], None
    while True:
        page = history(client, limit=3, **({"cursor": cursor} if cursor else {}))
        seen += [e["changes"]["title"]["to"] for e in page["history"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Title {n}" for n in reversed(range(7))]


def test_the_token_scope_is_the_actor(data_dir):
    write, admin = "w" * 20, "a" * 20
    app = make_app(data_dir, api_tokens=f"{write}:write,{admin}:admin", allow_open=True)
    client = app.test_client()
    client.patch(f"/v1/artifacts/{RUN}", json={"title": "By writer"}, headers={"Authorization": f"Bearer {write}"})
    client.patch(f"/v1/artifacts/{RUN}", json={"title": "By admin"}, headers={"Authorization": f"Bearer {admin}"})
    entries = client.get(f"/v1/artifacts/{RUN}/history", headers={"Authorization": f"Bearer {write}"}).json["history"]
    assert [e["actor"] for e in entries] == ["admin", "write"]
    app.extensions["flowtime"].close()


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 1001}, {"limit": "x"}, {"cursor": "abc"},
                                   {"cursor": "0"}, {"cursor": "5"}, {"cursor": "5:not-a-time"}, {"cursor": "9" * 30}, {"other": "1"}])
@ON_EACH_DATABASE
def test_bad_queries_are_400_in_the_error_shape(client, query):
    response = client.get(f"/v1/artifacts/{RUN}/history", query_string=query)
    assert response.status_code == 400 and set(response.json) == ERROR_KEYS


def test_unknown_artifact_is_404(client):
    response = client.get("/v1/artifacts/run_20990101T000000Z_00000000/history")
    assert response.status_code == 404 and set(response.json) == ERROR_KEYS
