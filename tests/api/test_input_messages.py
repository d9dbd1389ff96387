"""Errors name the real problem: long CSV headers, non-UTF-8 file names, blank titles, unknown node kinds."""

import io

import pytest

from tests.conftest import make_app
from tests.helpers import write_run

RUN = "run_20250101T000000Z_00000001"
OTHER = "run_20250201T000000Z_00000002"


@pytest.fixture
def local(data_dir):
    """One app on SQLite and local disk: these messages do not depend on the back-end."""
    write_run(data_dir, RUN, title="Original")
    write_run(data_dir, OTHER, title="Other")
    app = make_app(data_dir)
    yield app.test_client()
    app.extensions["flowtime"].close()


def test_a_60_mb_header_line_says_the_header_is_too_long(local):
    data = b"t" + b",c" * (30 * 1024 * 1024) + b"\n0" + b",1" * 3 + b"\n"
    response = local.post("/v1/telemetry", data={"file": (io.BytesIO(data), "wide.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 400
    assert "header line" in response.json["error"] and "empty" not in response.json["error"], response.json
    blank = local.post("/v1/telemetry", data={"file": (io.BytesIO(b"\n\n\n"), "blank.csv")},
                       content_type="multipart/form-data")
    assert blank.status_code == 400 and "empty" in blank.json["error"]


def test_a_non_utf8_file_name_is_named_as_the_problem(local):
    body = (b'--B\r\nContent-Disposition: form-data; name="file"; filename="\xff\xfe\xc3(.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\ntime,v\n0,1\n\r\n--B--\r\n")
    response = local.post("/v1/telemetry", data=body, content_type="multipart/form-data; boundary=B")
    assert response.status_code == 400
    assert "file name" in response.json["error"] and "filename" in response.json["details"], response.json
    assert local.get("/v1/artifacts?type=telemetry").json["total"] == 0


def test_bulk_delete_counts_a_repeated_id_once(local):
    body = local.post("/v1/artifacts/bulk-delete", json=[RUN, RUN, RUN, OTHER]).json
    assert body["processed"] == 2 and body["deleted"] == 2 and [r["id"] for r in body["results"]] == [RUN, OTHER]
    archived = local.post("/v1/artifacts/archive", json={"ids": [RUN, RUN]}).json
    assert archived["processed"] == 1


@pytest.mark.parametrize("title", [" ", "   ", "\t\n", "\u3000", " \u00a0 "])
def test_whitespace_only_titles_are_refused(local, title):
    for method in (local.put, local.patch):
        response = method(f"/v1/artifacts/{OTHER}", json={"title": title})
        assert response.status_code == 400 and "title" in response.json["details"], (title, response.json)
    instantiate = local.post("/v1/templates/baseline/instantiate", json={"title": title})
    assert instantiate.status_code == 400 and "title" in instantiate.json["details"]
    assert local.get(f"/v1/artifacts/{OTHER}").json["title"] == "Other"


def test_titles_are_trimmed(local):
    assert local.patch(f"/v1/artifacts/{OTHER}", json={"title": "  Kept  "}).json["title"] == "Kept"


def test_an_unknown_node_kind_is_named(local):
    model = "grid:\n  bins: 3\n  binSize: 1\n  binUnit: hours\nnodes:\n  - id: a\n    kind: teleport\n"
    for url in ("/v1/run", "/v1/graph"):
        response = local.post(url, data=model, content_type="text/plain; charset=utf-8")
        assert response.status_code == 400 and "teleport" in response.json["error"], response.json
