"""Hostile input, table-driven: no 500, no traceback, no byte from outside the data directory, one error shape.

Every case goes through the real app (werkzeug test client over the sqlite-local back-end); uploads whose
point is the transport (chunked bodies, disconnects, fuzzed Parquet that could crash a worker) go to a live
gunicorn. Each case is counted into HOSTILE_TRIED, which RELIABILITY.md quotes.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import socket
import struct
import time
from pathlib import Path
from urllib.parse import quote

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from app.errors import BadRequest, NotFound
from app.registry.sync.rescan import rescan
from app.storage.local import LocalStorage
from app.storage.paths import clean_key
from tests.conftest import make_app
from tests.helpers import write_run
from tests.reliability.conftest import assert_error_shape, assert_no_leak

RUN_ID = "run_20250101T000000Z_aaaaaaaa"
SECRET = b"TOP-SECRET-OUTSIDE-THE-DATA-DIR"
SIBLING_SECRET = b"SIBLING-PREFIX-SECRET"
WIDE = b"time_bin,arrivals,served\n2025-01-01T00:00:00Z,10,8\n2025-01-01T01:00:00Z,20,16\n"
HOSTILE_TRIED = {"count": 0}


# -- the world: a data dir, a sibling `data2`, an outside folder, symlinks out and loops -------------------
@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("world")
    data = tmp_path / "data"
    data.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    (outside / "secret.csv").write_bytes(SECRET)
    sibling = tmp_path / "data2"
    sibling.mkdir()
    (sibling / "x.txt").write_bytes(SIBLING_SECRET)
    # A symlinked "run" whose folder lies outside: must never be indexed.
    evil_run = outside / "run_20250102T000000Z_bbbbbbbb"
    write_run(outside, evil_run.name, title="EVIL OUTSIDE RUN")
    (data / evil_run.name).symlink_to(evil_run)
    run = write_run(data, RUN_ID, title="Hostile host")
    (run / "link").symlink_to(outside)
    (run / "leak.txt").symlink_to(outside / "secret.txt")
    (run / "sib").symlink_to(sibling)
    (run / "series" / "out.csv").symlink_to(outside / "secret.csv")
    (run / "loop").symlink_to(run)  # a loop back to itself
    (run / "a").symlink_to(run / "b")
    (run / "b").symlink_to(run / "a")  # a dangling two-link loop
    (data / "runs").mkdir()
    (data / "runs" / "loop").symlink_to(data)  # a loop at the top of the tree
    app = make_app(data)
    yield app, data, tmp_path
    app.extensions["flowtime"].close()


def forbidden_bytes(tmp_path: Path) -> list[bytes]:
    return [SECRET, SIBLING_SECRET, str(tmp_path).encode(), b"EVIL OUTSIDE RUN", b"/etc/passwd:", b"root:x:0:0"]


def check(response, tmp_path: Path, where: str) -> None:
    """The invariants every hostile case must hold."""
    HOSTILE_TRIED["count"] += 1
    body = response.get_data()
    assert response.status_code < 500 or response.status_code in (503, 507), f"{where}: {response.status_code}"
    assert_no_leak(body, forbidden_bytes(tmp_path), where)
    if response.status_code >= 400:
        assert_error_shape(response.status_code, body, where)


# -- paths ----------------------------------------------------------------------------------------------
DOT = ["..", "%2e%2e", "%2E%2E", "%252e%252e", "%25252e%25252e", "%c0%ae%c0%ae", "\uff0e\uff0e", ".%2e", "%2e."]
PATH_CASES = [
    *[f"{dot}/{dot}/outside/secret.txt" for dot in DOT],
    *[f"series/{dot}/{dot}/{dot}/outside/secret.txt" for dot in DOT],
    *[f"{dot}%2f{dot}%2foutside%2fsecret.txt" for dot in DOT],
    *[f"{dot}%252f{dot}%252foutside%252fsecret.txt" for dot in DOT],
    "..%5c..%5coutside%5csecret.txt", "..\\..\\outside\\secret.txt", "series\\..\\run.json",
    "%2fetc%2fpasswd", "%252fetc%252fpasswd", "file:%2f%2f%2fetc%2fpasswd", "file:///etc/passwd",
    "C:%5cWindows%5cwin.ini", "C:/Windows/win.ini", "%5c%5cserver%5cshare",
    "CON", "NUL", "COM1", "aux.txt", "LPT1.csv", "con/run.json",
    "run.json%00.csv", "run.json%00", "a%23b", "run.json%23", "a%3bb", "run.json%3f", "a%3Fb",
    "a%0d%0aSet-Cookie:%20x=1", "a%0ab", "a%09b", "a%1bb", "a%7fb",
    "a" * 300, "series/" + "b" * 300 + ".csv", "/".join(["a"] * 600),
    "link/secret.txt", "leak.txt", "sib/x.txt", "series/out.csv", "loop/run.json", "loop/loop/loop/leak.txt",
    "a", "b", "a/x", "%2e", ".", "./run.json", "series/./x", ".hidden", "..", "...", "....", ". .", "~/x",
    "%7e/x", "registry.db", "../registry.db", "%2e%2e/registry.db", "..%2fregistry.db",
    "%u002e%u002e/x", "%%32%65%%32%65/x", "%e0%80%ae%e0%80%ae/x", "\u2024\u2024/x", "\u2025/x",
]
ID_CASES = [
    "..", "%2e%2e", "%252e%252e", "\uff0e\uff0e", "run_..x", "%2e%2e%2fdata2", "..%2f..%2foutside",
    "data2", "run_20250102T000000Z_bbbbbbbb", "CON", "NUL", "a%00b", "a%0d%0ab", "x" * 300, "%c0%ae%c0%ae",
    "registry.db", ".uploads", "-leading-dash", "run%5c..%5cx",
]


@pytest.mark.parametrize("raw", PATH_CASES)
def test_file_paths_never_escape(world, raw):
    app, data, tmp_path = world
    client = app.test_client()
    for suffix in ("", "?download=1"):
        response = client.get(f"/v1/artifacts/{RUN_ID}/files/{raw}{suffix}")
        check(response, tmp_path, f"files/{raw!r}")
        assert response.status_code in (200, 400, 404), (raw, response.status_code)
        if response.status_code == 200:  # only a real file inside the folder may be served
            assert response.get_data() in {p.read_bytes() for p in (data / RUN_ID).rglob("*")
                                           if p.is_file() and not p.is_symlink()}, raw


@pytest.mark.parametrize("raw", ID_CASES + PATH_CASES[:20])
def test_artifact_ids_never_escape(world, raw):
    app, _, tmp_path = world
    client = app.test_client()
    quoted = quote(raw, safe="%")
    for url in (f"/v1/artifacts/{quoted}", f"/v1/artifacts/{quoted}/download", f"/v1/artifacts/{quoted}/files",
                f"/v1/runs/{quoted}/series/demand", f"/v1/runs/{quoted}/export/csv",
                f"/v1/runs/{quoted}/index", f"/v1/artifacts/{quoted}/lineage"):
        response = app.test_client().get(url)
        check(response, tmp_path, url)
        assert response.status_code in (400, 404, 405), (url, response.status_code)
    check(client.get(f"/v1/artifacts/{RUN_ID}/download?x={quoted}"), tmp_path, "download param")


@pytest.mark.parametrize("raw", PATH_CASES[:40] + ["demand", "demand@DEMAND@DEFAULT", "out", "../out"])
def test_series_and_export_names_never_escape(world, raw):
    app, _, tmp_path = world
    client = app.test_client()
    quoted = quote(raw, safe="%")
    response = client.get(f"/v1/runs/{RUN_ID}/series/{quoted}")
    check(response, tmp_path, f"series {raw!r}")
    if response.status_code == 200:
        assert response.get_data().startswith(b"t,value"), raw
    response = client.get(f"/v1/runs/{RUN_ID}/export/{quoted}")
    check(response, tmp_path, f"export {raw!r}")
    assert response.status_code in (400, 404)


def test_hostile_series_ids_inside_run_json_stay_inside(world):
    """A run.json on disk naming series outside its folder: nothing outside is served."""
    app, data, tmp_path = world
    run = write_run(data, "run_20250103T000000Z_cccccccc")
    doc = json.loads((run / "run.json").read_text())
    doc["series"] += [{"id": "../../../outside/secret", "path": "../../../outside/secret.csv"},
                      {"id": "../../data2/x", "path": "../../data2/x.txt"}]
    (run / "run.json").write_text(json.dumps(doc))
    client = app.test_client()
    check(client.post("/v1/artifacts/rescan"), tmp_path, "rescan")
    for sid in ("../../../outside/secret", "..%2f..%2f..%2foutside%2fsecret", "%2e%2e%2f%2e%2e%2fdata2%2fx"):
        check(client.get(f"/v1/runs/{run.name}/series/{sid}"), tmp_path, sid)
    check(client.get(f"/v1/artifacts/{run.name}/download"), tmp_path, "zip")


def test_symlinks_and_loops_rescan_terminates_and_nothing_outside_is_indexed(world):
    app, data, tmp_path = world
    client = app.test_client()
    started = time.monotonic()
    response = client.post("/v1/artifacts/rescan")
    assert time.monotonic() - started < 30
    check(response, tmp_path, "rescan")
    listed = client.get("/v1/artifacts?include_archived=true&include_deleted=true&limit=1000")
    check(listed, tmp_path, "list")
    ids = {a["id"] for a in listed.json["artifacts"]}
    assert "run_20250102T000000Z_bbbbbbbb" not in ids and RUN_ID in ids
    files = client.get(f"/v1/artifacts/{RUN_ID}/files")
    check(files, tmp_path, "files")
    names = {f["name"] for f in files.json["files"]}
    assert not any(n.startswith(("link", "loop", "sib", "a", "b")) or n in ("leak.txt", "series/out.csv")
                   for n in names), names
    zipped = client.get(f"/v1/artifacts/{RUN_ID}/download")
    check(zipped, tmp_path, "zip")
    assert zipped.status_code == 200
    searched = client.get("/v1/artifacts?search=EVIL")
    check(searched, tmp_path, "search")
    assert searched.json["total"] == 0


def test_resolver_sibling_prefix(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data2").mkdir()
    storage = LocalStorage(tmp_path / "data")
    for key in ("../data2/x", "..%2fdata2", "%2e%2e/data2/x"):
        with pytest.raises((BadRequest, NotFound)):
            storage._path(clean_key(key))
    (tmp_path / "data" / "s").symlink_to(tmp_path / "data2")
    with pytest.raises(NotFound):
        storage._path(clean_key("s/x"))


DOTS = st.sampled_from(["..", ".", "%2e%2e", "%252e", "%c0%ae", "\uff0e\uff0e", "\uff0e", "%2f", "%5c", "/",
                        "\\", "%00", "~", "C:", "a", "b.csv", "%25", "%", "\u2024", "\x00", "\n"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(min_size=1, max_size=80),
                 st.lists(DOTS, min_size=1, max_size=12).map("/".join),
                 st.lists(DOTS, min_size=1, max_size=12).map("".join)))
def test_property_any_string_resolves_inside_the_root_or_is_refused(tmp_path_factory, raw):
    root = tmp_path_factory.mktemp("root")
    (root.parent / (root.name + "2")).mkdir(exist_ok=True)
    storage = LocalStorage(root)
    try:
        path = storage._path(clean_key(raw))
    except (BadRequest, NotFound):
        return
    assert path == root.resolve() or root.resolve() in path.parents


# -- uploads --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One empty registry for the upload and model tables (cases compare before/after, not absolute state)."""
    data = tmp_path_factory.mktemp("shared") / "data"
    data.mkdir()
    app = make_app(data)
    yield app, data
    app.extensions["flowtime"].close()


def upload(client, data: bytes, name: str = "data.csv", **fields):
    return client.post("/v1/telemetry", data={"file": (io.BytesIO(data), name), **fields},
                       content_type="multipart/form-data")


def leftovers(data: Path) -> list[str]:
    spool = data / ".uploads"
    found = [p.name for p in spool.iterdir()] if spool.exists() else []
    tele = data / "telemetry"
    return found + ([p.name for p in tele.iterdir()] if tele.exists() else [])


def exact_csv(size: int) -> bytes:
    """A valid wide CSV of exactly `size` bytes (the last value padded with leading zeros)."""
    head, rows, i = b"t,value\n", [], 0
    total = len(head)
    while total + 40 < size:
        row = f"{i},{i % 97}\n".encode()
        rows.append(row)
        total += len(row)
        i += 1
    stem = f"{i},".encode()
    pad = size - total - len(stem) - 2
    rows.append(stem + b"0" * pad + b"1\n")
    body = head + b"".join(rows)
    assert len(body) == size
    return body


@pytest.fixture
def small_app(data_dir):
    app = make_app(data_dir, max_upload_mb=1)
    yield app, data_dir
    app.extensions["flowtime"].close()


def test_upload_exactly_the_limit_and_one_byte_over(small_app):
    app, data = small_app
    client = app.test_client()
    limit = 1024 * 1024
    ok = upload(client, exact_csv(limit))
    check(ok, data.parent, "exact limit")
    assert ok.status_code == 201, ok.json
    before = set(leftovers(data))
    over = upload(client, exact_csv(limit + 1))
    check(over, data.parent, "one over")
    assert over.status_code == 413 and over.json["code"] == "payload_too_large"
    assert set(leftovers(data)) == before
    assert client.get("/v1/artifacts?type=telemetry").json["total"] == 1


def test_stream_without_content_length_is_capped(small_app):
    """werkzeug with no Content-Length and no input_terminated reads nothing: a 400, never unbounded."""
    app, data = small_app
    boundary = "XyZ"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n".encode()
            + b"t,value\n" + b"1,1\n" * 400_000 + f"\r\n--{boundary}--\r\n".encode())
    response = app.test_client().post("/v1/telemetry", input_stream=io.BytesIO(body),
                                      content_type=f"multipart/form-data; boundary={boundary}",
                                      environ_overrides={"wsgi.input_terminated": True})
    check(response, data.parent, "terminated stream")
    assert response.status_code == 413
    assert leftovers(data) == []


def _parts(n: int) -> dict:
    return {f"f{i}": "x" for i in range(n)}


def _wide_columns(n: int) -> bytes:
    return ("t," + ",".join(f"c{i}" for i in range(n)) + "\n0," + ",".join("1" for _ in range(n)) + "\n").encode()


UPLOAD_CASES = [
    ("thousands of parts", lambda: ({"file": (io.BytesIO(WIDE), "a.csv"), **_parts(5000)}), (400, 413)),
    ("200k-char field", lambda: b"t,value,note\n0,1," + b"x" * 200_000 + b"\n", (201, 400)),
    ("200k-char header", lambda: b"t," + b"v" * 200_000 + b"\n0,1\n", (400,)),
    ("100k columns", lambda: _wide_columns(100_000), (400, 413)),
    ("NUL bytes", lambda: b"t,value\n0,1\x00\n", (400,)),
    ("UTF-8 BOM", lambda: b"\xef\xbb\xbft,value\n0,1\n1,2\n", (201, 400)),
    ("UTF-16 LE", lambda: "t,value\n0,1\n".encode("utf-16-le"), (400,)),
    ("UTF-16 BOM", lambda: "t,value\n0,1\n".encode("utf-16"), (400,)),
    ("UTF-32", lambda: "t,value\n0,1\n".encode("utf-32"), (400,)),
    ("latin-1", lambda: "t,vàlue\n0,1\n".encode("latin-1"), (400,)),
    ("CR only", lambda: b"t,value\r0,1\r1,2\r", (201, 400)),
    ("quotes unbalanced", lambda: b't,value\n0,"1\n1,2\n', (400,)),
    ("formula value", lambda: b"t,value\n0,=1+2\n", (400,)),
    ("empty", lambda: b"", (400,)),
    ("only newlines", lambda: b"\n" * 1000, (400,)),
    ("binary garbage", lambda: bytes(random.Random(1).randrange(256) for _ in range(4096)), (400,)),
]


@pytest.mark.parametrize(("name", "make", "statuses"), UPLOAD_CASES, ids=[c[0] for c in UPLOAD_CASES])
def test_hostile_uploads(shared, name, make, statuses):
    app, data_dir = shared
    client = app.test_client()
    before = set(leftovers(data_dir))
    payload = make()
    if isinstance(payload, dict):
        response = client.post("/v1/telemetry", data=payload, content_type="multipart/form-data")
    else:
        response = upload(client, payload)
    check(response, data_dir.parent, name)
    assert response.status_code in statuses, (name, response.status_code, response.get_data()[:300])
    if response.status_code == 201:
        stored = app.extensions["flowtime"].storage.read_bytes(f"{response.json['path']}/data.csv")
        assert stored == payload  # kept byte for byte
    else:
        assert set(leftovers(data_dir)) == before


@pytest.mark.parametrize("disposition", ['form-data; filename="x.csv"', "form-data", 'form-data; name=""',
                                         'form-data; name="file"; filename=""', "attachment; name=file"])
def test_nameless_and_odd_multipart_parts(shared, disposition):
    """A part without a name (found by schemathesis: it was a 500) or with odd headers is a 400."""
    app, data_dir = shared
    boundary = "odd"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n"
            f"t,value\n0,1\n\r\n--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\nzzz\r\n"
            f"--{boundary}--\r\n").encode()
    response = app.test_client().post("/v1/telemetry", data=body,
                                      content_type=f"multipart/form-data; boundary={boundary}")
    check(response, data_dir.parent, disposition)
    assert response.status_code in (201, 400), response.get_data()[:300]


def test_formula_cells_and_fields_are_kept_verbatim(shared):
    app, data_dir = shared
    client = app.test_client()
    csv = (b"time_bin,component_id,measure,value\n"
           b"2025-01-01T00:00:00Z,=cmd|' /C calc'!A0,@SUM(1+1),1\n"
           b"2025-01-01T01:00:00Z,=cmd|' /C calc'!A0,@SUM(1+1),2\n")
    response = upload(client, csv, title="=HYPERLINK(\"http://x\")", description="+1-2")
    check(response, data_dir.parent, "formula")
    if response.status_code == 201:
        assert response.json["title"] == "=HYPERLINK(\"http://x\")"
        assert response.json["description"] == "+1-2"
        stored = app.extensions["flowtime"].storage.read_bytes(f"{response.json['path']}/data.csv")
        assert stored == csv
    else:
        assert response.status_code == 400


def _parquet(table: pa.Table | None = None) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table or pa.table({"t": list(range(50)), "value": [float(i) for i in range(50)]}), sink)
    return sink.getvalue()


def _zigzag_varint(value: int) -> bytes:
    value = (value << 1) ^ (value >> 63)
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def parquet_bomb(rows: int = 6_000_000_000) -> bytes:
    """A 3-row Parquet file whose footer (file and row group) declares `rows` rows."""
    raw = _parquet(pa.table({"t": [0, 1, 2], "value": [1.0, 2.0, 3.0]}))
    footer_len = struct.unpack("<I", raw[-8:-4])[0]
    start = len(raw) - 8 - footer_len
    footer = raw[start:-8]
    # thrift compact: i64 field header (delta 1, type 6) = 0x16, then zigzag(3) = 0x06
    patched = footer.replace(b"\x16\x06", b"\x16" + _zigzag_varint(rows))
    assert patched != footer
    return raw[:start] + patched + struct.pack("<I", len(patched)) + b"PAR1"


def test_parquet_bomb_is_refused_from_metadata(shared):
    app, data_dir = shared
    before = set(leftovers(data_dir))
    started = time.monotonic()
    response = upload(app.test_client(), parquet_bomb(), name="bomb.parquet")
    check(response, data_dir.parent, "parquet bomb")
    assert response.status_code == 400 and "rows" in response.json["error"], response.json
    assert time.monotonic() - started < 5
    assert set(leftovers(data_dir)) == before


def fuzzed_parquets(count: int, seed: int = 7) -> list[tuple[str, bytes]]:
    good = _parquet()
    rng = random.Random(seed)
    cases = [(f"truncated-{n}", good[:n]) for n in (4, 8, 12, len(good) // 2, len(good) - 9, len(good) - 1)]
    cases.append(("header-only", b"PAR1" + b"\x00" * 100 + b"PAR1"))
    for i in range(count):
        data = bytearray(good)
        for _ in range(rng.randint(1, 16)):
            data[rng.randrange(4, len(data) - 4)] = rng.randrange(256)
        cases.append((f"fuzz-{i}", bytes(data)))
    return cases


def test_truncated_and_fuzzed_parquet_against_live_server(live_server_factory, data_dir):
    """A 400 (or a sound import), and the workers survive: pyarrow runs inside gunicorn here."""
    server = live_server_factory(data_dir, WEB_CONCURRENCY=2, FLOWTIME_MAX_UPLOAD_MB=1)
    statuses = {}
    for name, data in fuzzed_parquets(int(os.environ.get("FLOWTIME_FUZZ_CASES", "60"))):
        HOSTILE_TRIED["count"] += 1
        response = requests.post(f"{server.base}/v1/telemetry", files={"file": ("f.parquet", data)}, timeout=30)
        assert response.status_code in (201, 400), (name, response.status_code, response.text[:300])
        assert_no_leak(response.content, [str(data_dir).encode()], name)
        if response.status_code == 400:
            assert_error_shape(400, response.content, name)
        statuses[name] = response.status_code
    assert requests.get(f"{server.base}/healthz", timeout=10).status_code == 200
    assert "Worker (pid" not in server.log() or "SIGSEGV" not in server.log()
    assert not list((data_dir / ".uploads").glob("*")) if (data_dir / ".uploads").exists() else True


def test_chunked_upload_over_the_limit_against_live_server(live_server_factory, data_dir):
    server = live_server_factory(data_dir, WEB_CONCURRENCY=1, FLOWTIME_MAX_UPLOAD_MB=1)
    boundary = "b0undary"

    def body():
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
               "Content-Type: text/csv\r\n\r\n").encode() + b"t,value\n"
        for _ in range(80):  # ~3.2 MB, never announced
            yield b"1,1\n" * 10_000
        yield f"\r\n--{boundary}--\r\n".encode()

    HOSTILE_TRIED["count"] += 1
    try:
        response = requests.post(f"{server.base}/v1/telemetry", data=body(), timeout=30,
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    except requests.ConnectionError:  # the server may close the socket after answering 413 early
        response = None
    if response is not None:
        assert response.status_code == 413, response.text[:300]
        assert_error_shape(413, response.content, "chunked")
    time.sleep(0.5)
    assert leftovers(data_dir) == []
    assert requests.get(f"{server.base}/v1/artifacts?type=telemetry", timeout=10).json()["total"] == 0


def test_client_disconnect_mid_upload_leaves_nothing(live_server_factory, data_dir):
    server = live_server_factory(data_dir, WEB_CONCURRENCY=1, FLOWTIME_MAX_UPLOAD_MB=2)
    boundary = "disc0nnect"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n"
            ).encode() + b"t,value\n"
    announced = 1_500_000
    for sent in (len(head), 300_000, 1_200_000):
        HOSTILE_TRIED["count"] += 1
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall((f"POST /v1/telemetry HTTP/1.1\r\nHost: x\r\nContent-Length: {announced}\r\n"
                          f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n").encode())
            sock.sendall(head + b"1,1\n" * ((sent - len(head)) // 4))
            time.sleep(0.3)
        # chunked, cut mid-chunk
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall((f"POST /v1/telemetry HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                          f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n").encode())
            chunk = head + b"1,1\n" * 1000
            sock.sendall(f"{len(chunk) + 100:x}\r\n".encode() + chunk)
            time.sleep(0.3)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and leftovers(data_dir):
        time.sleep(0.2)
    assert leftovers(data_dir) == []
    assert requests.get(f"{server.base}/v1/artifacts?type=telemetry", timeout=10).json()["total"] == 0
    assert requests.get(f"{server.base}/healthz", timeout=10).status_code == 200


def test_raw_paths_over_the_wire(live_server_factory, world):
    """The same traversal forms sent byte-for-byte (no client normalisation) to gunicorn."""
    _, data, tmp_path = world
    server = live_server_factory(data, WEB_CONCURRENCY=1)
    raws = ["/../../outside/secret.txt", "/v1/artifacts/../../../outside/secret.txt",
            f"/v1/artifacts/{RUN_ID}/files/../../../outside/secret.txt",
            f"/v1/artifacts/{RUN_ID}/files/%2e%2e/%2e%2e/outside/secret.txt",
            f"/v1/artifacts/{RUN_ID}/files/..%2f..%2foutside%2fsecret.txt",
            f"/v1/artifacts/{RUN_ID}/files/\xef\xbc\x8e\xef\xbc\x8e/x",
            f"/v1/artifacts/{RUN_ID}/files/%c0%ae%c0%ae/%c0%ae%c0%ae/outside/secret.txt",
            f"/v1/artifacts/{RUN_ID}/files/leak.txt", f"/v1/artifacts/{RUN_ID}/files/link/secret.txt",
            f"/v1/artifacts/{RUN_ID}/files/sib/x.txt", f"/v1/runs/{RUN_ID}/series/..%2fout",
            "http://127.0.0.1/../../outside/secret.txt", "file:///etc/passwd", "*"]
    for raw in raws:
        HOSTILE_TRIED["count"] += 1
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(b"GET " + raw.encode("latin-1", "replace") + b" HTTP/1.1\r\nHost: x\r\n"
                         b"Connection: close\r\n\r\n")
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
        status = int(received.split(b" ", 2)[1])
        assert status < 500, (raw, received[:300])
        head, _, body = received.partition(b"\r\n\r\n")
        assert_no_leak(body, forbidden_bytes(tmp_path), raw)


# -- models ---------------------------------------------------------------------------------------------
def _nested_expr(depth: int) -> str:
    return "grid: {bins: 3, binMinutes: 60}\nnodes:\n - {id: a, kind: const, values: [1, 2, 3]}\n" \
           f" - {{id: b, kind: expr, expr: \"{'(' * depth}a{')' * depth}\"}}\n"


def _big_grid(bins: int, nodes: int) -> str:
    lines = [f"grid: {{bins: {bins}, binMinutes: 1}}", "nodes:",
             f" - {{id: n0, kind: const, values: [{', '.join(['1'] * bins)}]}}"]
    lines += [f" - {{id: n{i}, kind: expr, expr: \"n{i - 1} + 1\"}}" for i in range(1, nodes)]
    return "\n".join(lines) + "\n"


MODEL_CASES = [
    ("alias bomb", "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                   "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                   "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"),
    ("python object", "!!python/object/apply:os.system ['echo pwned']\n"),
    ("python object in node", "grid: {bins: 1, binMinutes: 1}\nnodes:\n - !!python/object:os.stat_result {}\n"),
    ("python name", "grid: !!python/name:os.system {}\n"),
    ("deep yaml flow", "[" * 50_000 + "]" * 50_000),
    ("deep yaml block", "".join("  " * i + "a:\n" for i in range(2000)) + "  " * 2000 + "b: 1\n"),
    ("deep expr", _nested_expr(20_000)),
    ("deep expr moderate", _nested_expr(500)),
    ("long expr", "grid: {bins: 3, binMinutes: 60}\nnodes:\n - {id: a, kind: const, values: [1, 2, 3]}\n"
                  " - {id: b, kind: expr, expr: \"" + " + ".join(["a"] * 20_000) + "\"}\n"),
    ("unary chain", "grid: {bins: 3, binMinutes: 60}\nnodes:\n - {id: a, kind: const, values: [1, 2, 3]}\n"
                    " - {id: b, kind: expr, expr: \"" + "-" * 20_000 + "a\"}\n"),
    ("nan", "grid: {bins: 3, binMinutes: 60}\nnodes:\n - {id: a, kind: const, values: [.nan, 1, 2]}\n"),
    ("inf", "grid: {bins: 3, binMinutes: 60}\nnodes:\n - {id: a, kind: const, values: [.inf, -.inf, 2]}\n"),
    ("huge float", "grid: {bins: 3, binMinutes: 60}\nnodes:\n - {id: a, kind: const, values: [1e308, 1e308, 1]}\n"
                   " - {id: b, kind: expr, expr: \"a * 10\"}\n"),
    ("division by zero", "grid: {bins: 3, binMinutes: 60}\nnodes:\n - {id: a, kind: const, values: [0, 0, 0]}\n"
                         " - {id: b, kind: expr, expr: \"1 / a\"}\n"),
    ("huge int", "grid: {bins: 3, binMinutes: 60}\nnodes:\n - {id: a, kind: const, values: [" + "9" * 5000
                 + ", 1, 2]}\n"),
    ("huge bins", "grid: {bins: 99999999999999999999, binMinutes: 60}\nnodes: []\n"),
    ("negative bins", "grid: {bins: -5, binMinutes: 60}\nnodes:\n - {id: a, kind: const, values: []}\n"),
    ("string bins", "grid: {bins: lots, binMinutes: 60}\nnodes: []\n"),
    ("10k bins x 2000 nodes", _big_grid(10_000, 2_000)),
    ("cycle", "grid: {bins: 1, binMinutes: 1}\nnodes:\n - {id: a, kind: expr, expr: \"b\"}\n"
              " - {id: b, kind: expr, expr: \"a\"}\n"),
    ("dunder", "grid: {bins: 1, binMinutes: 1}\nnodes:\n - {id: a, kind: expr, expr: \"__import__('os')\"}\n"),
    ("not a mapping", "- 1\n- 2\n"),
    ("scalar", "42\n"),
    ("tab soup", "\t\t:\n\t- ]\n"),
    ("binary", "\x00\x01\x02"),
    ("duplicate keys", "grid: {bins: 1, binMinutes: 1}\ngrid: {bins: 2, binMinutes: 1}\nnodes: []\n"),
    ("unicode ids", "grid: {bins: 1, binMinutes: 1}\nnodes:\n - {id: \"../../x\", kind: const, values: [1]}\n"
                    " - {id: \"a\u202eb\", kind: const, values: [1]}\n"),
]


@pytest.mark.parametrize(("name", "text"), MODEL_CASES, ids=[c[0] for c in MODEL_CASES])
def test_hostile_models(shared, name, text):
    app, data_dir = shared
    client = app.test_client()
    for url in ("/v1/run", "/v1/graph", "/v1/models"):
        started = time.monotonic()
        response = client.post(url, data=text.encode("utf-8", "surrogatepass"), content_type="text/plain")
        elapsed = time.monotonic() - started
        check(response, data_dir.parent, f"{url} {name}")
        assert response.status_code in (200, 201, 400, 413), (url, name, response.status_code)
        assert elapsed < 60, (url, name, elapsed)
        json.loads(response.get_data(), parse_constant=lambda c: pytest.fail(f"non-finite JSON {c} in {name}"))
    # no artifact temp folder left behind (the mirror's own temp file may be mid-write in its thread)
    assert not [p for p in data_dir.rglob(".tmp-*") if "registry-index" not in p.name]


# -- search and filters ---------------------------------------------------------------------------------
SEARCHES = ['"', '""', '"unterminated', "*", "a*", "*a", "NEAR(a b)", "a NEAR/2 b", "AND", "OR", "NOT", "a OR",
            "a AND NOT", "(", ")", "(a", "a)", "{a b}", "^a", "a:b", "title:x", "-a", "+a", "a - b", "'",
            "' OR 1=1 --", "'; DROP TABLE artifacts; --", "\" OR \"\"=\"", "%", "_", "%%", "\\", "\\'", ";",
            "a\x00b", "\u0000", "\ufeff", "\u202e", "😀", "日本語", "a" * 1000, "a " * 500, "x" * 10_000,
            " ".join(["a*"] * 1000), "NEAR(" * 200, "\"" * 999, "artifacts_fts MATCH", "rank", "bm25(x)",
            "a\tb", "a\nb", "%00", "%27", "1e308", "-1", "null", "undefined", "{}", "[]"]
PARAMS = {
    "type": ["123", "run,,", "|", "x" * 5000, "run|model|zzz", "'"],
    "tags": ["", ",", "a" * 5000, "'", "%", "a,b,c," * 300],
    "tag_mode": ["none", "", "1"],
    "source": ["'", "x" * 5000],
    "capabilities": ["'", ","],
    "created_after": ["notadate", "2025-13-45", "-1", "99999999999999999999", "2025-01-01T25:00:00Z", "'"],
    "created_before": ["x", "0", "1e400", "2025-01-01T00:00:00+99:00"],
    "min_size": ["abc", "-1", "1e400", "99999999999999999999999", "1.5", "NaN", ""],
    "max_size": ["abc", "-1", "inf"],
    "template_id": ["", "'", "x" * 5000],
    "model_id": ["", "%"],
    "related_to": ["", "..", "x" * 300, "'"],
    "include_deleted": ["maybe", "2", ""],
    "include_archived": ["maybe", "-1"],
    "sort": ["bogus", "title; DROP", "id desc", ""],
    "order": ["sideways", "", "ASC"],
    "limit": ["abc", "-1", "0", "1001", "1e3", "99999999999999999999999", "", "1.5", "NaN"],
    "offset": ["abc", "-1", "1e400", "99999999999999999999999", "10000000000"],
    "cursor": ["garbage", "", "x" * 5000, "eyJ4IjogMX0=", "eyJ2IjpbMSwyXX0", "%00", "null", "'"],
    "facets": ["bogus", ",", "type,type", "x" * 5000],
    "skip": ["abc", "-1"], "sortBy": ["bogus"], "sortOrder": ["x"], "createdAfter": ["x"], "fullText": ["\""],
    "includeArchived": ["x"], "unknown_param": ["1"],
}


@pytest.fixture(scope="module")
def searchable(tmp_path_factory):
    from app.registry.sync.rescan import bootstrap
    from tests.conftest import SAMPLE_DATA

    data = tmp_path_factory.mktemp("searchable") / "data"
    shutil.copytree(SAMPLE_DATA, data)
    app = make_app(data)
    bootstrap(app.extensions["flowtime"])
    yield app, data
    app.extensions["flowtime"].close()


def test_search_syntax_never_500(searchable):
    app, data = searchable
    client = app.test_client()
    for text in SEARCHES:
        for sort in ("", "&sort=relevance", "&facets=type,tags,source"):
            response = client.get("/v1/artifacts?search=" + quote(text, safe="") + sort)
            check(response, data.parent, f"search {text[:40]!r}")
            assert response.status_code in (200, 400), (text[:40], response.status_code)


def test_every_list_parameter_with_wrong_types(searchable):
    app, data = searchable
    client = app.test_client()
    for name, values in PARAMS.items():
        for value in values:
            response = client.get(f"/v1/artifacts?{name}={quote(value, safe='')}")
            check(response, data.parent, f"{name}={value[:40]!r}")
            assert response.status_code in (200, 400), (name, value[:40], response.status_code)
    repeated = client.get("/v1/artifacts?limit=1&limit=2")
    check(repeated, data.parent, "repeated")
    assert repeated.status_code == 400


def test_hostile_edits_and_bodies(searchable):
    app, data = searchable
    client = app.test_client()
    target = "run_20250921T161133Z_0bcdbb6f"
    bodies = [b"", b"null", b"[]", b"{", b'{"title": null}', b'{"title": ""}', b'{"title": 1}',
              b'{"tags": "x"}', b'{"tags": [1]}', b'{"tags": ["a b"]}', b'{"title": "' + b"x" * 100_000 + b'"}',
              b'{"description": "\\u0000"}', b'{"zzz": 1}', b"[" * 500 + b"]" * 500, b'{"title": "\xff"}',
              b'{"title": NaN}', b'{"tags": [' + b'"a",' * 50_000 + b'"a"]}']
    for body in bodies:
        for method in ("PUT", "PATCH"):
            for ctype in ("application/json", "text/plain", "application/x-www-form-urlencoded"):
                response = client.open(f"/v1/artifacts/{target}", method=method, data=body, content_type=ctype)
                check(response, data.parent, f"{method} {body[:30]!r} {ctype}")
        for url in ("/v1/artifacts/archive", "/v1/artifacts/bulk-delete", f"/v1/artifacts/{target}/relationships",
                    f"/v1/artifacts/{target}/compare", "/v1/templates/baseline/instantiate"):
            check(client.post(url, data=body, content_type="application/json"), data.parent, f"{url} {body[:30]!r}")
    for etag in ('"', "*", "W/\"x\"", "x" * 10_000, "\x00", '"a", "b"'):
        response = client.put(f"/v1/artifacts/{target}", json={"title": "t"}, headers={"If-Match": etag})
        check(response, data.parent, f"if-match {etag[:20]!r}")
        assert response.status_code in (200, 400, 412)
    for header in ("bytes=0-0,1-1", "bytes=-0", "bytes=99999999999999999999-", "bytes=5-1", "lines=1-2", "bytes="):
        response = client.get(f"/v1/artifacts/{target}/files/run.json", headers={"Range": header})
        check(response, data.parent, f"range {header}")
    for provenance in ("{", "[]", "\"x\"", "{\"templateId\": {\"$gt\": 1}}", "x" * 7000):
        response = client.post("/v1/run", data=(Path(__file__).parents[1] / "fixtures/examples/hello.yaml")
                               .read_bytes(), content_type="text/plain", headers={"X-Model-Provenance": provenance})
        check(response, data.parent, f"provenance {provenance[:20]!r}")
    rescan(app.extensions["flowtime"])


DEEP_JSON = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("url", ["/v1/artifacts/run_20250921T161133Z_0bcdbb6f", "/v1/artifacts/archive"])
def test_deeply_nested_json_body_is_a_400(searchable, url):
    app, data = searchable
    method = "PUT" if url.count("/") == 3 else "POST"
    response = app.test_client().open(url, method=method, data=DEEP_JSON, content_type="application/json")
    check(response, data.parent, f"deep json {url}")
    assert response.status_code == 400


def test_zz_report_count():
    """Not a check: prints how many hostile inputs this run tried (quoted in RELIABILITY.md)."""
    print(f"\nhostile inputs tried: {HOSTILE_TRIED['count']}")
