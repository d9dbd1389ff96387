"""GET /v1/changes: what changed after a generation, oldest first; list responses carry their generation."""

import pytest

from tests.api.conftest import ON_EACH_DATABASE
from tests.helpers import ERROR_KEYS, write_run

RUN = "run_20250101T000000Z_00000001"
OTHER = "run_20250201T000000Z_00000002"
HELLO_TAGGED = "run_20250301T000000Z_00000003"


@pytest.fixture
def data_dir(data_dir):
    write_run(data_dir, RUN, title="Original", tags=["a"])
    write_run(data_dir, OTHER, title="Other")
    return data_dir


def generation_of_list(client, **query) -> int:
    response = client.get("/v1/artifacts", query_string=query)
    return int(response.headers["X-Registry-Generation"])


def changes(client, **query):
    response = client.get("/v1/changes", query_string=query)
    assert response.status_code == 200, response.json
    assert int(response.headers["X-Registry-Generation"]) == response.json["last_generation"]
    return response.json


def test_list_then_follow_sees_every_change_in_order(client):
    since = generation_of_list(client)
    client.patch(f"/v1/artifacts/{RUN}", json={"title": "Renamed"})
    client.post("/v1/artifacts/archive", json=[OTHER])
    client.delete(f"/v1/artifacts/{RUN}")
    client.post(f"/v1/artifacts/{RUN}/restore")
    page = changes(client, since=since)
    assert [(c["id"], c["event"]) for c in page["changes"]] == [
        (RUN, "updated"), (OTHER, "archived"), (RUN, "deleted"), (RUN, "restored")]
    assert [c["generation"] for c in page["changes"]] == sorted({c["generation"] for c in page["changes"]})
    assert page["last_generation"] == generation_of_list(client)
    assert changes(client, since=page["last_generation"]) == {"changes": [], "last_generation": page["last_generation"]}


LOCAL = pytest.mark.parametrize("backend", ["sqlite-local", "postgres-local"])  # folders written beside the app


@LOCAL
def test_new_artifacts_arrive_as_created(client, data_dir):
    since = generation_of_list(client)
    write_run(data_dir, HELLO_TAGGED, title="Fresh", tags=["fresh"])
    page = changes(client, since=since)  # discovery picks the folder up, as a list would
    assert [(c["id"], c["event"]) for c in page["changes"]] == [(HELLO_TAGGED, "created")]


def test_small_pages_never_split_a_commit(client):
    since = generation_of_list(client)
    client.post("/v1/artifacts/archive", json=[RUN, OTHER])  # one commit, two changes
    assert client.patch(f"/v1/artifacts/{RUN}", json={"description": "later"}).status_code == 200
    first = changes(client, since=since, limit=1)
    assert {c["id"] for c in first["changes"]} == {RUN, OTHER}  # the whole commit, though limit=1
    second = changes(client, since=first["last_generation"], limit=1)
    assert [(c["id"], c["event"]) for c in second["changes"]] == [(RUN, "updated")]


@ON_EACH_DATABASE
def test_filters_follow_a_saved_search(client):
    since = generation_of_list(client)
    client.patch(f"/v1/artifacts/{RUN}", json={"tags": ["a", "watched"]})
    client.patch(f"/v1/artifacts/{OTHER}", json={"title": "Other renamed"})
    assert [c["id"] for c in changes(client, since=since, tags="watched")["changes"]] == [RUN]
    assert [c["id"] for c in changes(client, since=since, search="renamed")["changes"]] == [OTHER]
    assert [c["id"] for c in changes(client, since=since, type="model")["changes"]] == []
    assert [c["id"] for c in changes(client, since=since, type="run")["changes"]] == [RUN, OTHER]


def test_a_since_older_than_the_window_is_410_with_the_oldest_generation(data_dir):
    from tests.conftest import make_app

    app = make_app(data_dir, changes_keep=3)
    client = app.test_client()
    try:
        start = generation_of_list(client)
        for n in range(300):  # past a prune (every 256 generations)
            client.patch(f"/v1/artifacts/{RUN}", json={"title": f"T{n}"})
        gone = client.get("/v1/changes", query_string={"since": start})
        assert gone.status_code == 410 and set(gone.json) == ERROR_KEYS and gone.json["code"] == "gone"
        oldest = int(gone.headers["X-Registry-Oldest-Generation"])
        assert oldest > start and "since" in gone.json["details"]
        assert client.get("/v1/changes", query_string={"since": oldest}).status_code == 200
    finally:
        app.extensions["flowtime"].close()


def test_a_since_ahead_of_the_registry_is_410(client):
    ahead = generation_of_list(client) + 5
    response = client.get("/v1/changes", query_string={"since": ahead})
    assert response.status_code == 410 and "ahead" in response.json["error"]


@LOCAL
def test_a_rescan_itemises_what_it_found(client, runner, data_dir):
    since = generation_of_list(client)
    for n in range(600):  # more than one rescan batch
        write_run(data_dir, f"run_20250401T000000Z_{n:08x}", title=f"Bulk {n}")
    assert runner.invoke(args=["registry", "rescan"]).exit_code == 0
    seen, cursor = [], since
    while page := changes(client, since=cursor, limit=1000)["changes"]:
        seen += page
        cursor = page[-1]["generation"]
    assert len(seen) == 600 and {c["event"] for c in seen} == {"created"}


def test_a_rebuild_asks_followers_to_list_again(client, runner):
    since = generation_of_list(client)
    client.patch(f"/v1/artifacts/{RUN}", json={"title": "Before the rebuild"})
    assert runner.invoke(args=["registry", "rebuild"]).exit_code == 0
    assert client.get("/v1/changes", query_string={"since": since}).status_code == 410
    assert changes(client, since=generation_of_list(client))["changes"] == []


@pytest.mark.parametrize("query", [{"since": -1}, {"since": "x"}, {"since": 2**64}, {"limit": 0}, {"limit": 1001},
                                   {"type": "nope"}, {"tags": "bad tag"}, {"unknown": 1}, {"search": "x" * 1001}])
@ON_EACH_DATABASE
def test_bad_queries_are_400_in_the_error_shape(client, query):
    response = client.get("/v1/changes", query_string=query)
    assert response.status_code == 400 and set(response.json) == ERROR_KEYS
