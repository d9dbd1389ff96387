"""Find runs by their results: per-series summaries, `series=` filters and `sort=series:`, on every backend."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest

from tests.api.conftest import ON_EACH_DATABASE
from tests.helpers import ERROR_KEYS, field_names, write_run

# id -> (served values, backlog values); helper runs have three bins
RUNS = {
    "run_20250101T000000Z_00000001": ([10, 20, 30], [5, 3, 0]),
    "run_20250102T000000Z_00000002": ([40, 50, 60], [1, 1, 2]),
    "run_20250103T000000Z_00000003": ([1, 2, 3], None),
    "run_20250104T000000Z_00000004": ([45, 41, 42], [0, 0, 0]),
}
TELEMETRY = b"time_bin,served,queue\n2025-01-01T00:00:00Z,7,1\n2025-01-01T01:00:00Z,70,2\n2025-01-01T02:00:00Z,35,3\n"


def _write(data_dir, run_id, served, backlog):
    nodes = ("served",) if backlog is None else ("served", "backlog")
    folder = write_run(data_dir, run_id, nodes=nodes, tags=["perf"] if backlog else (), title=f"Study {run_id[-1]}")
    for node, values in (("served", served), ("backlog", backlog)):
        if values is not None:
            rows = "".join(f"{t},{v}\n" for t, v in enumerate(values))
            (folder / "series" / f"{node}@{node.upper()}@DEFAULT.csv").write_text("t,value\n" + rows)


@pytest.fixture
def data_dir(data_dir):
    for run_id, (served, backlog) in RUNS.items():
        _write(data_dir, run_id, served, backlog)
    return data_dir


def listed(client, *expressions, **params):
    query = "&".join([*(f"series={quote(e)}" for e in expressions), *(f"{k}={quote(str(v))}" for k, v in params.items())])
    response = client.get(f"/v1/artifacts?{query}")
    assert response.status_code == 200, response.json
    return response.json


def ids(body) -> list[str]:
    return sorted(a["id"] for a in body["artifacts"])


def test_summaries_are_in_the_artifact_json(client):
    body = client.get("/v1/artifacts/run_20250101T000000Z_00000001").json
    assert body["series_summary"]["served"] == {"points": 3, "min": 10.0, "max": 30.0, "mean": 20.0, "sum": 60.0,
                                                "last": 30.0}
    assert body["series_summary"]["backlog"]["last"] == 0.0
    items = listed(client, type="run")["artifacts"]
    assert all("series_summary" in item for item in items)


@pytest.mark.parametrize("expressions, expected", [
    (["served.max>40"], ["run_20250102T000000Z_00000002", "run_20250104T000000Z_00000004"]),
    (["served.max>=60"], ["run_20250102T000000Z_00000002"]),
    (["served.mean<20"], ["run_20250103T000000Z_00000003"]),
    (["served.last=42"], ["run_20250104T000000Z_00000004"]),
    (["served.points=3", "backlog.last<=0"], ["run_20250101T000000Z_00000001", "run_20250104T000000Z_00000004"]),
    (["served.max>40", "backlog.last<=0"], ["run_20250104T000000Z_00000004"]),
    (["backlog.sum>-1e3"], ["run_20250101T000000Z_00000001", "run_20250102T000000Z_00000002",
                            "run_20250104T000000Z_00000004"]),
    (["nosuch.max>0"], []),
])
@ON_EACH_DATABASE
def test_series_filters_are_anded(client, expressions, expected):
    body = listed(client, *expressions)
    assert ids(body) == expected and body["total"] == len(expected)


def test_series_filters_combine_with_type_tags_and_search(client):
    assert ids(listed(client, "served.max>40", type="run", tags="perf")) == [
        "run_20250102T000000Z_00000002", "run_20250104T000000Z_00000004"]
    assert ids(listed(client, "served.max>40", search="Study 4")) == ["run_20250104T000000Z_00000004"]
    assert listed(client, "served.max>40", type="model")["total"] == 0


def test_sort_by_a_series_stat_pages_with_cursors(client):
    first = listed(client, sort="series:served.mean", order="desc", limit=2)
    assert [a["id"] for a in first["artifacts"]] == ["run_20250102T000000Z_00000002", "run_20250104T000000Z_00000004"]
    assert first["total"] == 4
    rest = listed(client, sort="series:served.mean", order="desc", limit=2, cursor=first["next_cursor"])
    assert [a["id"] for a in rest["artifacts"]] == ["run_20250101T000000Z_00000001", "run_20250103T000000Z_00000003"]
    backlog = listed(client, sort="series:backlog.last", order="asc")  # runs without backlog do not match
    assert [a["id"] for a in backlog["artifacts"]] == [
        "run_20250101T000000Z_00000001", "run_20250104T000000Z_00000004", "run_20250102T000000Z_00000002"]
    assert backlog["total"] == 3


@pytest.mark.parametrize("expression", ["served.max", "served.maximum>1", "served.max>nan", "served.max>inf",
                                        "served.max>1e999", "served.max>>1", ".max>1", "served.max>1_0",
                                        "served.max> 1", "served max>1", "served.max=>1", ""])
@ON_EACH_DATABASE
def test_a_bad_expression_is_a_400_naming_series(client, expression):
    response = client.get(f"/v1/artifacts?series={quote(expression)}")
    assert response.status_code == 400
    assert set(response.json) == ERROR_KEYS and "series" in field_names(response.json["details"])


@pytest.mark.parametrize("sort", ["series:served.median", "series:served", "series:"])
@ON_EACH_DATABASE
def test_a_bad_series_sort_is_a_400_naming_sort(client, sort):
    response = client.get(f"/v1/artifacts?sort={quote(sort)}")
    assert response.status_code == 400 and "sort" in response.json["details"]


def test_telemetry_is_summarised_at_import(client):
    response = client.post("/v1/telemetry", data={"file": (io.BytesIO(TELEMETRY), "load.csv"), "title": "Load"},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    summary = response.json["series_summary"]
    assert summary["served"] == {"points": 3, "min": 7.0, "max": 70.0, "mean": 112 / 3, "sum": 112.0, "last": 35.0}
    assert ids(listed(client, "queue.last=3")) == [response.json["id"]]
    assert ids(listed(client, "served.max>=70", type="telemetry")) == [response.json["id"]]


def test_summaries_follow_a_changed_folder_on_rescan(app, client):
    storage = app.extensions["flowtime"].storage
    key = "run_20250103T000000Z_00000003/series/served@SERVED@DEFAULT.csv"
    storage.write_bytes(key, b"t,value\n0,100\n1,200\n2,300\n")
    client.post("/v1/artifacts/rescan")
    assert ids(listed(client, "served.min>=100")) == ["run_20250103T000000Z_00000003"]
    assert listed(client, "served.mean<20")["total"] == 0
