"""Duplicate runs (equal scenarioHash): `duplicate_of`, `duplicates=hide|only`, stats, on every backend."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.helpers import write_run

SAME = "sha256:" + "ab" * 32
FIRST, SECOND, THIRD = ("run_20250101T000000Z_0000000a", "run_20250201T000000Z_0000000b",
                        "run_20250301T000000Z_0000000c")
OTHER = "run_20250401T000000Z_0000000d"


@pytest.fixture
def data_dir(data_dir):
    # registered out of order: the group's head is the earliest created, not the first scanned
    for run_id, month in ((THIRD, 3), (FIRST, 1), (SECOND, 2)):
        write_run(data_dir, run_id, created=datetime(2025, month, 1), scenario_hash=SAME)
    write_run(data_dir, OTHER, created=datetime(2025, 4, 1))
    return data_dir


def artifact(client, artifact_id):
    return client.get(f"/v1/artifacts/{artifact_id}?include_deleted=true").json


def listed_ids(client, query):
    response = client.get(f"/v1/artifacts?{query}&sort=id&order=asc")
    assert response.status_code == 200, response.json
    return [a["id"] for a in response.json["artifacts"]]


def test_later_runs_point_at_the_earliest(client):
    assert artifact(client, FIRST)["duplicate_of"] is None
    assert artifact(client, SECOND)["duplicate_of"] == FIRST and artifact(client, THIRD)["duplicate_of"] == FIRST
    assert artifact(client, OTHER)["duplicate_of"] is None


def test_hide_lists_one_run_per_group_and_only_the_copies(client):
    assert listed_ids(client, "duplicates=hide") == [FIRST, OTHER]
    assert listed_ids(client, "duplicates=only") == [SECOND, THIRD]
    assert listed_ids(client, "duplicates=only&type=model") == []
    items = client.get("/v1/artifacts?duplicates=only").json["artifacts"]
    assert {a["duplicate_of"] for a in items} == {FIRST}


def test_duplicate_of_lists_one_runs_group(client):
    assert listed_ids(client, f"duplicate_of={FIRST}") == [SECOND, THIRD]
    assert client.get(f"/v1/artifacts?duplicate_of={FIRST}").json["total"] == 2
    assert listed_ids(client, f"duplicate_of={OTHER}") == []
    assert client.get("/v1/artifacts?duplicate_of=").status_code == 400


def test_stats_count_duplicates(client):
    assert client.get("/v1/artifacts/stats").json["duplicates"] == 2


def test_deleting_the_head_moves_the_group_to_the_next_run_and_restore_moves_it_back(client):
    assert client.delete(f"/v1/artifacts/{FIRST}").status_code == 200
    assert artifact(client, SECOND)["duplicate_of"] is None
    assert artifact(client, THIRD)["duplicate_of"] == SECOND and artifact(client, FIRST)["duplicate_of"] == SECOND
    assert listed_ids(client, "duplicates=hide") == [SECOND, OTHER]
    assert client.post(f"/v1/artifacts/{FIRST}/restore").status_code == 200
    assert artifact(client, SECOND)["duplicate_of"] == FIRST and artifact(client, FIRST)["duplicate_of"] is None


def test_a_new_run_of_the_same_model_and_seed_is_a_duplicate(client):
    spec = "grid: {bins: 2, binMinutes: 60}\nnodes:\n  - {id: served, kind: const, values: [1, 2]}\n"
    first = client.post("/v1/run?seed=3", data=spec, content_type="text/plain").json["runId"]
    second = client.post("/v1/run?seed=3", data=spec, content_type="text/plain").json["runId"]
    other_seed = client.post("/v1/run?seed=4", data=spec, content_type="text/plain").json["runId"]
    assert artifact(client, second)["duplicate_of"] == first
    assert artifact(client, first)["duplicate_of"] is None and artifact(client, other_seed)["duplicate_of"] is None


@pytest.mark.parametrize("value", ["show", "", "HIDE"])
def test_a_bad_duplicates_value_is_a_400(client, value):
    response = client.get(f"/v1/artifacts?duplicates={value}")
    assert response.status_code == 400 and "duplicates" in response.json["details"]
