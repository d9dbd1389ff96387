"""Lineage: relationships with summaries, traversal, manual links, and consistency across rescan/rebuild."""

import pytest

from app.registry.sync.rescan import rebuild


@pytest.fixture
def family(client):
    model = client.post("/v1/templates/baseline/instantiate", json={"parameters": {"bins": 3}}).json["modelId"]
    runs = [client.post(f"/v1/models/{model}/run").json["runId"] for _ in range(2)]
    return model, runs


def test_relationships_are_summaries_both_ways(client, family):
    model, runs = family
    body = client.get(f"/v1/artifacts/{model}/relationships").json
    assert {g["id"] for g in body["generates"]} == set(runs)
    assert all({"id", "type", "title", "created"} <= set(g) for g in body["generates"])
    run_side = client.get(f"/v1/artifacts/{runs[0]}/relationships").json
    assert [d["id"] for d in run_side["derived_from"]] == [model]
    assert [r["id"] for r in run_side["related"]] == [runs[1]]


def test_lineage_traversal(client, family):
    model, runs = family
    body = client.get(f"/v1/artifacts/{runs[0]}/lineage?depth=2").json
    assert {n["id"] for n in body["nodes"]} == {model, *runs}
    assert {"from": runs[1], "to": model, "type": "derived_from"} in body["edges"]
    shallow = client.get(f"/v1/artifacts/{runs[0]}/lineage?depth=1").json
    assert {n["id"] for n in shallow["nodes"]} == {model, runs[0]}
    for bad in ("0", "6", "x"):
        assert client.get(f"/v1/artifacts/{model}/lineage?depth={bad}").status_code == 400


def test_related_to_filter(client, family):
    model, runs = family
    assert {a["id"] for a in client.get(f"/v1/artifacts?related_to={model}").json["artifacts"]} == set(runs)
    assert [a["id"] for a in client.get(f"/v1/artifacts?relatedTo={runs[0]}").json["artifacts"]] == [model]


def test_manual_links_unknown_and_cycles(client, family):
    model, runs = family
    linked = client.post(f"/v1/artifacts/{runs[1]}/relationships", json={"derived_from": [runs[0]]})
    assert linked.status_code == 200
    assert {d["id"] for d in linked.json["derived_from"]} == {model, runs[0]}
    cycle = client.post(f"/v1/artifacts/{model}/relationships", json={"derived_from": [runs[1]]})
    assert cycle.status_code == 409
    self_link = client.post(f"/v1/artifacts/{model}/relationships", json={"derived_from": [model]})
    assert self_link.status_code == 409
    unknown = client.post(f"/v1/artifacts/{model}/relationships",
                          json={"derived_from": ["run_20990101T000000Z_00000000"]})
    assert unknown.status_code == 400
    for body in ({}, {"derived_from": []}, {"derived_from": "x"}, {"derived_from": ["../x"]}):
        assert client.post(f"/v1/artifacts/{model}/relationships", json=body).status_code == 400


def test_links_survive_rescan_and_rebuild(client, ctx, family):
    model, runs = family
    client.post(f"/v1/artifacts/{runs[1]}/relationships", json={"derived_from": [runs[0]]})
    client.post("/v1/artifacts/rescan")
    ctx.mirror.sync()
    rebuild(ctx)
    ctx.mirror.sync()
    derived = client.get(f"/v1/artifacts/{runs[1]}").json["relationships"]["derived_from"]
    assert sorted(derived) == sorted([model, runs[0]])
    generates = client.get(f"/v1/artifacts/{model}").json["relationships"]["generates"]
    assert sorted(generates) == sorted(runs)
    import json

    mirror = json.loads(ctx.storage.read_bytes("registry-index.json"))
    mirrored = next(a for a in mirror["artifacts"] if a["id"] == model)
    assert sorted(mirrored["relationships"]["generates"]) == sorted(runs)


@pytest.fixture
def runs_in_time(data_dir):
    from datetime import datetime

    from tests.helpers import write_run

    for run_id, created, tags in [("run_20250101T100000Z_0000000a", datetime(2025, 1, 1, 10), ["x"]),
                                  ("run_20250301T000000Z_0000000b", datetime(2025, 3, 1), ["x"]),
                                  ("run_20250101T103000Z_0000000c", datetime(2025, 1, 1, 10, 30), []),
                                  ("run_20250201T000000Z_0000000d", datetime(2025, 2, 1), ["y"])]:
        write_run(data_dir, run_id, created=created, tags=tags)
    return data_dir


def test_flowtime_shape_lists_similar_runs(runs_in_time, client):
    body = client.get("/v1/artifacts/run_20250101T100000Z_0000000a/relationships").json
    assert body["artifactId"] == body["artifact_id"] == "run_20250101T100000Z_0000000a"
    assert body["derivedFrom"] == [] and body["derivatives"] == []
    similar = {r["id"]: r for r in body["related"]}
    assert set(similar) == {"run_20250301T000000Z_0000000b", "run_20250101T103000Z_0000000c"}  # a tag / within 1 h
    assert all(r["relationshipType"] == "similar-run" and r["type"] == "run" and isinstance(r["title"], str)
               for r in similar.values())
    assert client.get("/v1/artifacts/run_20990101T000000Z_00000000/relationships").status_code == 404


def test_flowtime_shape_of_stored_links(client, family):
    model, runs = family
    run_side = client.get(f"/v1/artifacts/{runs[0]}/relationships").json
    assert [(d["id"], d["relationshipType"]) for d in run_side["derivedFrom"]] == [(model, "model-source")]
    assert (runs[1], "same-source") in [(r["id"], r["relationshipType"]) for r in run_side["related"]]
    model_side = client.get(f"/v1/artifacts/{model}/relationships").json
    assert {d["id"] for d in model_side["derivatives"]} == set(runs)
    assert {d["relationshipType"] for d in model_side["derivatives"]} == {"derivative"}
