"""Files: listing, streaming with Range/ETag/304, zip download, and no escape from the data dir."""

import io
import zipfile

import pytest

from tests.helpers import ERROR_KEYS, write_run

RUN = "run_20250101T000000Z_00000001"


@pytest.fixture
def data_dir(data_dir, tmp_path):
    folder = write_run(data_dir, RUN, title="Files")
    (folder / "notes.txt").write_bytes(b"0123456789")
    (folder / ".hidden").write_text("internal")
    (folder / "weird.bin").write_bytes(b"\x00\x01")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOP SECRET")
    (folder / "escape").symlink_to(outside)
    (folder / "leak.txt").symlink_to(outside / "secret.txt")
    (data_dir / "registry-index.json.tmp").write_text("{}")
    return data_dir


def test_listing_is_recursive_sorted_and_hides_internal_files(client):
    body = client.get(f"/v1/artifacts/{RUN}/files").json
    names = [f["name"] for f in body["files"]]
    assert names == sorted(names) and body["count"] == len(names)
    assert "series/demand@DEMAND@DEFAULT.csv" in names and "notes.txt" in names
    assert not any(n.startswith(".") or "escape" in n or "leak" in n for n in names)
    csv = next(f for f in body["files"] if f["name"].endswith(".csv"))
    assert csv["content_type"] == "text/csv" and csv["modified"].endswith("Z")


@pytest.mark.parametrize(("name", "mimetype"), [("run.json", "application/json"), ("spec.yaml", "application/yaml"),
                                                ("notes.txt", "text/plain"), ("weird.bin", "application/octet-stream")])
def test_content_types(client, name, mimetype):
    response = client.get(f"/v1/artifacts/{RUN}/files/{name}")
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Accept-Ranges"] == "bytes" and response.headers["Last-Modified"]


def test_range_etag_and_download(client):
    url = f"/v1/artifacts/{RUN}/files/notes.txt"
    full = client.get(url)
    assert full.data == b"0123456789" and full.headers["Content-Length"] == "10"
    partial = client.get(url, headers={"Range": "bytes=2-5"})
    assert partial.status_code == 206 and partial.data == b"2345"
    assert partial.headers["Content-Range"] == "bytes 2-5/10"
    assert client.get(url, headers={"Range": "bytes=50-60"}).status_code == 416
    assert client.get(url, headers={"If-None-Match": full.headers["ETag"]}).status_code == 304
    attachment = client.get(url + "?download=1")
    assert attachment.headers["Content-Disposition"].startswith("attachment")


def test_zip_download_streams_the_folder(client):
    response = client.get(f"/v1/artifacts/{RUN}/download")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert f"{RUN}/run.json" in names and f"{RUN}/notes.txt" in names
    assert not any("secret" in n or ".hidden" in n for n in names)


HOSTILE_PATHS = [
    "../registry.db", "..%2fregistry.db", "%2e%2e/registry.db", "%252e%252e%252fregistry.db", "..\\registry.db",
    "/etc/passwd", "%2fetc%2fpasswd", "escape/secret.txt", "leak.txt", ".hidden", "series/..%2f..%2frun.json",
    "a%00b", "notes.txt%23", "notes.txt;x", "x%0d%0ay", "x" * 300, "%c0%ae%c0%ae/registry.db", "C:%5cwindows",
    "series//demand@DEMAND@DEFAULT.csv",
]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_hostile_file_paths_never_leak(client, path):
    response = client.get(f"/v1/artifacts/{RUN}/files/{path}")
    assert response.status_code in (400, 404), (path, response.status_code)
    assert b"TOP SECRET" not in response.data and b"SQLite" not in response.data
    assert response.is_json and set(response.json) == ERROR_KEYS


@pytest.mark.parametrize("artifact_id", ["..", "..%2f..", "%2e%2e", "registry.db", ".hidden", "a" * 300, "x%00",
                                         "run;x", "run%0a"])
def test_hostile_artifact_ids(client, artifact_id):
    for suffix in ("", "/files", "/files/run.json", "/download"):
        response = client.get(f"/v1/artifacts/{artifact_id}{suffix}")
        assert response.status_code in (400, 404), (artifact_id, suffix)
        assert response.is_json


def test_no_absolute_server_path_in_any_response(client, data_dir):
    for url in ("/v1/artifacts", f"/v1/artifacts/{RUN}", f"/v1/artifacts/{RUN}/files", "/v1/artifacts/stats",
                "/healthz"):
        assert str(data_dir) not in client.get(url).get_data(as_text=True)
