"""Cross-site form posts: foreign Origins and Sec-Fetch-Site: cross-site are 403s; JSON routes take JSON only."""

import io

import pytest

from tests.conftest import make_app
from tests.helpers import ERROR_KEYS, write_run

RUN = "run_20250101T000000Z_00000001"
ALLOWED = "http://localhost:5219"
MODEL = "grid:\n  bins: 3\n  binSize: 1\n  binUnit: hours\nnodes:\n  - id: a\n    kind: const\n    values: [1, 2, 3]\n"
WSV = b"t,value\n0,1\n1,2\n"


@pytest.fixture
def open_app(data_dir):
    """The `make run` default: no tokens; one allowed cross-origin UI."""
    write_run(data_dir, RUN, title="Original")
    app = make_app(data_dir, cors_origins=ALLOWED)
    yield app.test_client()
    app.extensions["flowtime"].close()


def form_attacks():
    """(method, url, kwargs) of every state change a cross-site HTML form or fetch could send."""
    return [
        ("post", f"/v1/artifacts/{RUN}/restore", {}),
        ("delete", f"/v1/artifacts/{RUN}", {}),
        ("post", "/v1/run", {"data": MODEL, "content_type": "text/plain"}),
        ("post", "/v1/graph", {"data": MODEL, "content_type": "text/plain"}),
        ("post", "/v1/models", {"data": MODEL, "content_type": "text/plain"}),
        ("post", "/v1/telemetry", {"data": {"file": (io.BytesIO(WSV), "t.csv")}, "content_type": "multipart/form-data"}),
        ("post", "/v1/templates/baseline/instantiate", {"data": '{"title": "x"}', "content_type": "text/plain"}),
        ("post", "/v1/artifacts/rescan", {}),
        ("post", f"/v1/runs/{RUN}/export", {}),
        ("put", f"/v1/artifacts/{RUN}", {"data": '{"title": "pwned"}', "content_type": "text/plain"}),
        ("post", "/v1/artifacts/bulk-delete", {"data": f'["{RUN}"]', "content_type": "text/plain"}),
    ]


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Origin": "null"},
                                     {"Origin": "http://localhost.evil.example"},
                                     {"Origin": "http://localhost:1234"}, {"Origin": "http://[::1"},
                                     {"Origin": "ftp://localhost"}, {"Sec-Fetch-Site": "cross-site"},
                                     {"Origin": "https://evil.example", "Sec-Fetch-Site": "same-origin"}])
def test_cross_site_state_changes_are_403(open_app, headers):
    before = open_app.get("/v1/artifacts?include_deleted=true").json["total"]
    for method, url, kwargs in form_attacks():
        response = getattr(open_app, method)(url, headers=headers, **kwargs)
        assert response.status_code == 403, (method, url, headers, response.status_code)
        assert set(response.json) == ERROR_KEYS and response.json["code"] == "forbidden"
    assert open_app.get("/v1/artifacts?include_deleted=true").json["total"] == before
    assert open_app.get(f"/v1/artifacts/{RUN}").json["title"] == "Original"


@pytest.mark.parametrize("headers", [{}, {"Origin": "http://localhost"}, {"Origin": ALLOWED},
                                     {"Origin": ALLOWED, "Sec-Fetch-Site": "cross-site"},
                                     {"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}])
def test_same_origin_allowed_origins_and_clients_without_origin_keep_working(open_app, headers):
    run = open_app.post("/v1/run", data=MODEL, content_type="text/plain; charset=utf-8", headers=headers)
    assert run.status_code == 200, run.json
    upload = open_app.post("/v1/telemetry", data={"file": (io.BytesIO(WSV), "t.csv")},
                           content_type="multipart/form-data", headers=headers)
    assert upload.status_code == 201, upload.json
    edit = open_app.patch(f"/v1/artifacts/{RUN}", json={"title": "Edited"}, headers=headers)
    assert edit.status_code == 200 and edit.json["title"] == "Edited"
    assert open_app.delete(f"/v1/artifacts/{RUN}", headers=headers).status_code == 200
    assert open_app.post(f"/v1/artifacts/{RUN}/restore", headers=headers).status_code == 200


def test_reads_are_not_refused_cross_site(open_app):
    assert open_app.get("/v1/artifacts", headers={"Origin": "https://evil.example",
                                                  "Sec-Fetch-Site": "cross-site"}).status_code == 200


JSON_ROUTES = [("put", f"/v1/artifacts/{RUN}", '{"title": "x"}'), ("patch", f"/v1/artifacts/{RUN}", '{"title": "x"}'),
               ("post", "/v1/artifacts/archive", f'["{RUN}"]'), ("post", "/v1/artifacts/bulk-delete", f'["{RUN}"]'),
               ("post", f"/v1/artifacts/{RUN}/relationships", '{"derived_from": []}'),
               ("post", f"/v1/artifacts/{RUN}/compare", f'{{"other": "{RUN}"}}'),
               ("post", "/v1/templates/baseline/instantiate", '{"title": "x"}')]


@pytest.mark.parametrize(("method", "url", "body"), JSON_ROUTES)
@pytest.mark.parametrize("content_type", ["text/plain", "text/plain; charset=utf-8", "multipart/form-data; boundary=x",
                                          "application/x-www-form-urlencoded", "application/yaml", None])
def test_json_routes_refuse_other_content_types_with_415(open_app, method, url, body, content_type):
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = getattr(open_app, method)(url, data=body, headers=headers)
    assert response.status_code == 415, (url, content_type, response.status_code)
    assert "application/json" in response.json["error"] and response.json["details"]["accepted"] == ["application/json"]
    assert open_app.get(f"/v1/artifacts/{RUN}").json["title"] == "Original"
    assert "archived" not in open_app.get(f"/v1/artifacts/{RUN}").json["tags"]
