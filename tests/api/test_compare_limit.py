"""compare with include_values is capped: series x bins x 3 values at most (FLOWTIME_COMPARE_MAX_VALUES)."""

from __future__ import annotations

import time

import pytest

from tests.conftest import make_app
from tests.reliability.conftest import assert_error_shape


def _run(client, bins: int, nodes: int) -> str:
    spec = f"grid: {{bins: {bins}, binMinutes: 1}}\nnodes:\n" + "".join(
        f" - {{id: n{i}, kind: expr, expr: '{i} + 1'}}\n" for i in range(nodes))
    response = client.post("/v1/run", data=spec, content_type="text/plain")
    assert response.status_code == 200, response.json
    return response.json["runId"]


@pytest.fixture
def sqlite_client(data_dir):
    app = make_app(data_dir)
    yield app.test_client()
    app.extensions["flowtime"].close()


def test_default_limit_refuses_a_huge_values_response_quickly(sqlite_client):
    run = _run(sqlite_client, 10_000, 70)  # 70 series x 10,000 bins x 3 = 2.1 million values
    started = time.monotonic()
    response = sqlite_client.post(f"/v1/artifacts/{run}/compare", json={"other": run, "include_values": True})
    assert response.status_code == 413, response.status_code
    body = assert_error_shape(413, response.get_data())
    assert "2000000" in body["error"] and "FLOWTIME_COMPARE_MAX_VALUES" in body["error"]
    assert body["details"] == {"include_values": ["2100000 values asked for; at most 2000000 (series x bins x 3)"]}
    assert time.monotonic() - started < 20
    # without values, or with fewer series, the same comparison is answered
    assert sqlite_client.post(f"/v1/artifacts/{run}/compare", json={"other": run}).status_code == 200
    narrowed = sqlite_client.post(f"/v1/artifacts/{run}/compare",
                                  json={"other": run, "include_values": True, "series": ["n1", "n2"]})
    assert narrowed.status_code == 200 and len(narrowed.json["series"][0]["values"]["diff"]) == 10_000


@pytest.mark.parametrize(("limit", "status"), [(12, 200), (11, 413)])
def test_limit_is_exact_and_configurable(data_dir, limit, status):
    app = make_app(data_dir, compare_max_values=limit)
    client = app.test_client()
    try:
        run = _run(client, 4, 1)  # 1 series x 4 bins x 3 = 12 values
        response = client.post(f"/v1/artifacts/{run}/compare", json={"other": run, "include_values": True})
        assert response.status_code == status
        if status == 413:
            assert str(limit) in response.json["error"]
    finally:
        app.extensions["flowtime"].close()
