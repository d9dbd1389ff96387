"""One `details` shape for every kind of bad request: field (dotted when nested) -> a non-empty list of messages."""

from __future__ import annotations

import io

import pytest

from tests.conftest import EXAMPLES
from tests.helpers import ERROR_KEYS, is_details_shape, write_run

RUN = "run_20250101T000000Z_00000001"
HELLO = (EXAMPLES / "hello.yaml").read_text()
YAML = "text/plain"
GRID = "grid: {bins: 2, binMinutes: 60}\nnodes:\n"


def _csv(data: bytes) -> dict:
    return {"data": {"file": (io.BytesIO(data), "a.csv")}, "content_type": "multipart/form-data"}


# (method, url, request keywords, status, the exact `details` keys)
BAD_REQUESTS = [
    ("PUT", f"/v1/artifacts/{RUN}", {"json": {"tags": ["bad tag", 5]}}, 400, {"tags.0", "tags.1"}),
    ("PATCH", f"/v1/artifacts/{RUN}", {"data": b"{not json", "content_type": "application/json"}, 400, {"body"}),
    ("PUT", f"/v1/artifacts/{RUN}", {"json": {"title": "x"}, "headers": {"If-Match": '"stale"'}}, 412, {"If-Match"}),
    ("GET", "/v1/artifacts?limit=abc", {}, 400, {"limit"}),
    ("GET", "/v1/artifacts?limit=1&limit=2", {}, 400, {"limit"}),
    ("GET", "/v1/artifacts?cursor=zzz", {}, 400, {"cursor"}),
    ("GET", "/v1/artifacts?sort=relevance", {}, 400, {"sort"}),
    ("GET", "/v1/artifacts/run_20990101T000000Z_00000009", {}, 404, {"id"}),
    ("GET", f"/v1/artifacts/{RUN}/files/spec.yaml", {"headers": {"Range": "bytes=999999-"}}, 416, {"Range"}),
    ("POST", "/v1/run", {"data": "nodes: [", "content_type": YAML}, 400, {"body"}),
    ("POST", "/v1/run", {"data": "a: &x 1\nb: *x\n", "content_type": YAML}, 400, {"body"}),
    ("POST", "/v1/run", {"data": b"\xff\xfe", "content_type": YAML}, 400, {"body"}),
    ("POST", "/v1/run", {"data": GRID + "  - {id: x, kind: expr, expr: 'y + 1'}\n  - {id: y, kind: expr, expr: x}\n",
                         "content_type": YAML}, 400, {"nodes"}),
    ("POST", "/v1/run", {"data": GRID + "  - {id: x, kind: expr, expr: '1 +'}\n", "content_type": YAML},
     400, {"nodes.x.expr"}),
    ("POST", "/v1/run", {"data": GRID + "  - {id: x, kind: const, values: [1]}\n", "content_type": YAML},
     400, {"nodes.x.values"}),
    ("POST", "/v1/run", {"data": HELLO, "content_type": YAML, "headers": {"X-Model-Provenance": '{"templateId": 5}'}},
     400, {"X-Model-Provenance.templateId"}),
    ("POST", "/v1/run?seed=-1", {"data": HELLO, "content_type": YAML}, 400, {"seed"}),
    ("POST", "/v1/run", {"data": HELLO, "content_type": "application/x-www-form-urlencoded"}, 415, {"accepted"}),
    ("POST", f"/v1/artifacts/{RUN}/relationships", {"json": {"derived_from": ["bad id!"]}}, 400, {"derived_from"}),
    ("POST", f"/v1/artifacts/{RUN}/relationships", {"json": {"derived_from": [RUN]}}, 409, {"derived_from"}),
    ("POST", f"/v1/artifacts/{RUN}/compare", {"json": {"other": RUN, "series": [5]}}, 400, {"series.0"}),
    ("POST", "/v1/artifacts/bulk-delete", {"json": {"a": 1}}, 400, {"body"}),
    ("POST", "/v1/telemetry", _csv(b"t,a,a\n0,1,2\n"), 400, {"file"}),
    ("POST", "/v1/telemetry", {"data": {"title": "x"}, "content_type": "multipart/form-data"}, 400, {"file"}),
    ("GET", f"/v1/runs/{RUN}/export/xyz", {}, 400, {"format"}),
    ("GET", f"/v1/runs/{RUN}/export/csv", {}, 404, {"format"}),
    ("GET", f"/v1/runs/{RUN}/series/nope", {}, 404, {"series"}),
    ("POST", "/v1/templates/baseline/instantiate", {"json": {"parameters": {"nope": 1}}}, 400, {"nope"}),
    ("POST", "/v1/templates/baseline/instantiate", {"json": {"parameters": {"bins": 0}}}, 400, {"bins"}),
]


@pytest.fixture
def data_dir(data_dir):
    write_run(data_dir, RUN, title="Original", tags=["a"])
    return data_dir


def test_every_kind_of_bad_request_names_its_fields_with_lists_of_messages(client):
    """One app per back-end, every bad request in turn (the shape does not depend on the request's order)."""
    for method, url, kwargs, status, fields in BAD_REQUESTS:
        where = f"{method} {url} {sorted(kwargs)}"
        response = client.open(url, method=method, **{k: v for k, v in kwargs.items() if k != "data"},
                               data=_fresh(kwargs.get("data")))
        body = response.get_json()
        assert response.status_code == status and set(body) == ERROR_KEYS, (where, response.status_code, body)
        assert is_details_shape(body["details"]) and set(body["details"]) == fields, (where, body["details"])
        assert all(message.strip() for messages in body["details"].values() for message in messages), where


def _fresh(data):
    """A multipart body's file is a stream, read once: give every request its own."""
    if isinstance(data, dict):
        return {k: (io.BytesIO(v[0].getvalue()), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}
    return data
