"""POST /v1/artifacts/{id}/compare, checked against hand-computed values."""

import pytest

GRID = "grid: {bins: 4, binMinutes: 60}\n"


def run(client, nodes: str, grid: str = GRID) -> str:
    response = client.post("/v1/run", data=grid + "nodes:\n" + nodes, content_type="text/plain")
    assert response.status_code == 200, response.json
    return response.json["runId"]


@pytest.fixture
def pair(client):
    base = run(client, " - {id: a, kind: const, values: [1, 2, 3, 4]}\n - {id: only_base, kind: expr, expr: 'a'}\n")
    other = run(client, " - {id: a, kind: const, values: [2, 2, 2, 6]}\n - {id: only_other, kind: expr, expr: 'a'}\n")
    return base, other


def test_series_deltas_by_hand(client, pair):
    base, other = pair
    body = client.post(f"/v1/artifacts/{base}/compare", json={"other": other, "include_values": True}).json
    assert body["base"]["id"] == base and body["other"]["type"] == "run"
    assert body["grid"]["compatible"] is True
    (series,) = body["series"]
    assert (series["measure"], series["component_id"], series["points"]) == ("a", "A", 4)
    assert series["base"] == {"sum": 10, "mean": 2.5, "min": 1, "max": 4}
    assert series["other"] == {"sum": 12, "mean": 3, "min": 2, "max": 6}
    # diff = [1, 0, -1, 2]: sum 2, mean 0.5, max_abs 2, rmse sqrt(6/4), pct 20
    assert series["delta"]["sum"] == 2 and series["delta"]["mean"] == 0.5 and series["delta"]["max_abs"] == 2
    assert series["delta"]["rmse"] == pytest.approx(1.224744871, rel=1e-6)
    assert series["delta"]["pct_change"] == 20
    assert series["values"]["diff"] == [1, 0, -1, 2]
    assert body["only_in_base"] == ["only_base@ONLY_BASE"] and body["only_in_other"] == ["only_other@ONLY_OTHER"]


def test_self_compare_is_all_zero(client, pair):
    base, _ = pair
    body = client.post(f"/v1/artifacts/{base}/compare", json={"other": base}).json
    assert all(v == 0 for s in body["series"] for v in s["delta"].values())
    assert "values" not in body["series"][0]


def test_different_grids_use_the_common_prefix_and_are_flagged(client, pair):
    base, _ = pair
    longer = run(client, " - {id: a, kind: const, values: [1, 2, 3, 4, 5, 6]}\n", "grid: {bins: 6, binMinutes: 30}\n")
    body = client.post(f"/v1/artifacts/{base}/compare", json={"other": longer}).json
    assert body["grid"]["compatible"] is False and body["series"][0]["points"] == 4


def test_series_filter(client, pair):
    base, other = pair
    body = client.post(f"/v1/artifacts/{base}/compare", json={"other": other, "series": ["nothing"]}).json
    assert body["series"] == []


def test_models_get_a_spec_diff(client):
    first = client.post("/v1/templates/baseline/instantiate", json={"parameters": {"bins": 4}}).json["modelId"]
    second = client.post("/v1/templates/baseline/instantiate",
                         json={"parameters": {"bins": 6, "efficiency": 0.5}}).json["modelId"]
    body = client.post(f"/v1/artifacts/{first}/compare", json={"other": second}).json
    assert body["grid_changed"] is True
    assert [n["id"] for n in body["nodes_changed"]] == ["served"]
    assert body["nodes_added"] == [] and body["nodes_removed"] == []


def test_errors(client, pair):
    base, other = pair
    model = client.post("/v1/templates/baseline/instantiate", json={}).json["modelId"]
    assert client.post(f"/v1/artifacts/{base}/compare", json={"other": model}).status_code == 400
    assert client.post(f"/v1/artifacts/{base}/compare",
                       json={"other": "run_20990101T000000Z_00000000"}).status_code == 404
    client.delete(f"/v1/artifacts/{other}")
    assert client.post(f"/v1/artifacts/{base}/compare", json={"other": other}).status_code == 404
    assert client.post(f"/v1/artifacts/{base}/compare", json={}).status_code == 400
    assert client.post(f"/v1/artifacts/{base}/compare", json={"other": "../x"}).status_code == 400
    assert client.post(f"/v1/artifacts/{base}/compare", json={"other": base, "x": 1}).status_code == 400
