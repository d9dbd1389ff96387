"""Concurrency: 4 gunicorn workers on one data directory, 16 client threads of mixed reads and writes.

Zero 500s (a 503 with Retry-After is allowed), every acknowledged write present afterwards, SQLite and FTS5
integrity intact, the mirror equal to the database once it caught up, and a reader never sees a broken
registry-index.json. 200 requests by default; FLOWTIME_SOAK_REQUESTS=2000 is the long run.
"""

from __future__ import annotations

import io
import json
import random
import shutil
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.conftest import EXAMPLES, SAMPLE_DATA
from tests.reliability.conftest import assert_error_shape, soak_size

CLIENTS = 16
SHARED = "run_20250921T161133Z_0bcdbb6f"
HELLO = (EXAMPLES / "hello.yaml").read_bytes()
WIDE = b"time_bin,arrivals,served\n2025-01-01T00:00:00Z,10,8\n2025-01-01T01:00:00Z,20,16\n"
FIGURES: dict = {}


@dataclass
class Ledger:
    """What the clients were told succeeded, and every unexpected status."""

    created: dict = field(default_factory=dict)  # id -> type
    titles: dict = field(default_factory=dict)  # id -> last acknowledged title
    deleted: dict = field(default_factory=dict)  # id -> True/False after the last acknowledged delete/restore
    archived: set = field(default_factory=set)
    statuses: Counter = field(default_factory=Counter)
    unexpected: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    def __init__(self, number: int, base: str, ledger: Ledger, seed: int):
        self.number, self.base, self.ledger = number, base, ledger
        self.rng = random.Random(seed)
        self.session = requests.Session()
        self.mine: list[str] = []  # artifacts this client created (only it edits them: deterministic end state)

    def call(self, method: str, path: str, ok=(200, 201), allowed=(), **kwargs) -> requests.Response | None:
        try:
            response = self.session.request(method, self.base + path, timeout=120, **kwargs)
        except requests.RequestException as exc:
            with self.ledger.lock:
                self.ledger.unexpected.append((method, path, repr(exc)))
            return None
        with self.ledger.lock:
            self.ledger.statuses[response.status_code] += 1
        if response.status_code == 503 and response.headers.get("Retry-After"):
            assert_error_shape(503, response.content, path)
            return None
        if response.status_code not in ok and response.status_code not in allowed:
            with self.ledger.lock:
                self.ledger.unexpected.append((method, path, response.status_code, response.text[:300]))
            return None
        if response.status_code >= 400:
            assert_error_shape(response.status_code, response.content, path)
        return response

    # -- operations -----------------------------------------------------------------------------------
    def op_read(self):
        choice = self.rng.choice(["list", "search", "get", "files", "stats", "templates", "lineage"])
        path = {"list": "/v1/artifacts?include_archived=true&facets=type,tags", "search": "/v1/artifacts?search=hello",
                "get": f"/v1/artifacts/{SHARED}", "files": f"/v1/artifacts/{SHARED}/files",
                "stats": "/v1/artifacts/stats", "templates": "/v1/templates",
                "lineage": f"/v1/artifacts/{SHARED}/lineage"}[choice]
        self.call("GET", path)

    def op_run(self):
        response = self.call("POST", f"/v1/run?seed={self.rng.randrange(1000)}", data=HELLO,
                             headers={"Content-Type": "text/plain"})
        if response is not None:
            self._created(response.json()["runId"], "run")

    def op_upload(self):
        response = self.call("POST", "/v1/telemetry", files={"file": ("t.csv", io.BytesIO(WIDE))},
                             data={"title": f"client {self.number} telemetry"})
        if response is not None:
            self._created(response.json()["id"], "telemetry")

    def op_instantiate(self):
        response = self.call("POST", "/v1/templates/baseline/instantiate",
                             json={"parameters": {"bins": 6}, "title": f"client {self.number} model"})
        if response is not None:
            self._created(response.json()["artifactId"], "model")

    def _created(self, artifact_id: str, kind: str):
        self.mine.append(artifact_id)
        with self.ledger.lock:
            self.ledger.created[artifact_id] = kind

    def _own(self) -> str | None:
        return self.rng.choice(self.mine) if self.mine else None

    def op_edit(self):
        target = self._own()
        if target is None:
            return self.op_run()
        title = f"c{self.number}-{self.rng.randrange(10**6)}"
        method = self.rng.choice(["PUT", "PATCH"])
        response = self.call(method, f"/v1/artifacts/{target}", json={"title": title},
                             allowed=(404,))
        if response is not None and response.status_code == 200:
            with self.ledger.lock:
                self.ledger.titles[target] = title

    def op_delete_restore(self):
        target = self._own()
        if target is None:
            return self.op_read()
        if self.rng.random() < 0.5:
            response = self.call("DELETE", f"/v1/artifacts/{target}")
            state = True
        else:
            response = self.call("POST", f"/v1/artifacts/{target}/restore")
            state = False
        if response is not None:
            with self.ledger.lock:
                self.ledger.deleted[target] = state

    def op_archive(self):
        target = self._own()
        if target is None:
            return self.op_read()
        response = self.call("POST", "/v1/artifacts/archive", json=[target])
        if response is not None and response.json()["results"][0]["success"]:
            with self.ledger.lock:
                self.ledger.archived.add(target)

    def op_export(self):
        runs = [a for a in self.mine if self.ledger.created.get(a) == "run"]
        if not runs:
            return self.op_run()
        target = self.rng.choice(runs)
        # a soft-deleted run is a 404 for exports: allowed, the delete was acknowledged first
        if self.call("POST", f"/v1/runs/{target}/export", allowed=(404,)) is not None:
            self.call("GET", f"/v1/runs/{target}/export/csv", allowed=(404,))

    def append_shared_tag(self):
        """Read-modify-write with If-Match, retrying on 412 until the tag is in."""
        tag = f"client-{self.number}"
        for _ in range(200):
            got = self.call("GET", f"/v1/artifacts/{SHARED}")
            if got is None:
                time.sleep(0.05)
                continue
            tags = got.json()["tags"]
            if tag in tags:
                return
            response = self.call("PUT", f"/v1/artifacts/{SHARED}", json={"tags": [*tags, tag]},
                                 headers={"If-Match": got.headers["ETag"]}, allowed=(412,))
            if response is not None and response.status_code == 200:
                return
            time.sleep(self.rng.random() * 0.05)
        with self.ledger.lock:
            self.ledger.unexpected.append(("RMW", tag, "never succeeded"))

    def work(self, count: int):
        operations = [self.op_read] * 8 + [self.op_run] * 2 + [self.op_upload, self.op_instantiate, self.op_edit,
                                                                  self.op_edit, self.op_delete_restore,
                                                                  self.op_archive, self.op_export]
        tag_at = self.rng.randrange(max(count, 1))
        for i in range(count):
            if i == tag_at:
                self.append_shared_tag()
            self.rng.choice(operations)()


def mirror_reader(path: Path, stop: threading.Event, report: dict):
    seen = False
    while not stop.is_set():
        try:
            text = path.read_bytes()
        except FileNotFoundError:
            if seen:
                report["missing"] += 1
            continue
        seen = True
        report["reads"] += 1
        try:
            doc = json.loads(text)
            assert isinstance(doc, dict) and "generation" in doc
        except (ValueError, AssertionError):
            report["invalid"] += 1


def rescanner(base: str, stop: threading.Event, report: dict):
    while not stop.is_set():
        response = requests.post(f"{base}/v1/artifacts/rescan", timeout=120)
        report[response.status_code] += 1
        time.sleep(0.2)


def wait_for_mirror(base: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        index = requests.get(f"{base}/v1/artifacts/stats", timeout=30).json()["index"]
        if index["generation"] == index["database_generation"] or time.monotonic() > deadline:
            return index
        time.sleep(0.2)


def integrity(db_path: Path) -> tuple[str, str | None]:
    with sqlite3.connect(db_path) as connection:
        result = connection.execute("PRAGMA integrity_check").fetchone()[0]
        try:
            connection.execute("INSERT INTO artifacts_fts(artifacts_fts, rank) VALUES('integrity-check', 1)")
            fts = None
        except sqlite3.DatabaseError as exc:
            fts = str(exc)
    return result, fts


@pytest.mark.soak
def test_mixed_load_on_four_workers(live_server_factory, tmp_path):
    """200 requests by default; FLOWTIME_SOAK_REQUESTS=2000 for the long run."""
    total = soak_size("FLOWTIME_SOAK_REQUESTS", 200)
    data_dir = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA, data_dir)
    server = live_server_factory(data_dir, WEB_CONCURRENCY=4)
    base = server.base
    ledger = Ledger()
    stop = threading.Event()
    mirror_report, rescan_report = Counter(), Counter()
    background = [threading.Thread(target=mirror_reader, args=(data_dir / "registry-index.json", stop, mirror_report)),
                  threading.Thread(target=rescanner, args=(base, stop, rescan_report))]
    clients = [Client(n, base, ledger, seed=1000 + n) for n in range(CLIENTS)]
    per_client = [total // CLIENTS + (1 if n < total % CLIENTS else 0) for n in range(CLIENTS)]
    threads = [threading.Thread(target=c.work, args=(count,)) for c, count in zip(clients, per_client, strict=True)]
    started = time.monotonic()
    for thread in background + threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    for thread in background:
        thread.join()
    elapsed = time.monotonic() - started

    assert ledger.unexpected == [], ledger.unexpected[:10]
    assert ledger.statuses[500] == 0
    assert set(rescan_report) <= {200, 409, 503}, rescan_report
    assert mirror_report["invalid"] == 0 and mirror_report["missing"] == 0, mirror_report

    # every acknowledged write is present
    shared = requests.get(f"{base}/v1/artifacts/{SHARED}", timeout=30).json()
    assert {f"client-{n}" for n in range(CLIENTS)} <= set(shared["tags"]), shared["tags"]
    for artifact_id, kind in ledger.created.items():
        response = requests.get(f"{base}/v1/artifacts/{artifact_id}?include_deleted=true", timeout=30)
        assert response.status_code == 200, (artifact_id, response.status_code)
        body = response.json()
        assert body["type"] == kind
        if artifact_id in ledger.titles:
            assert body["title"] == ledger.titles[artifact_id], artifact_id
        assert (body["deleted_at"] is not None) == ledger.deleted.get(artifact_id, False), artifact_id
        if artifact_id in ledger.archived:
            assert "archived" in body["tags"], artifact_id
        if kind == "run":
            folder = data_dir / body["path"]
            assert (folder / "run.json").is_file() and (folder / "manifest.json").is_file()

    index = wait_for_mirror(base)
    assert index["generation"] == index["database_generation"], index
    server.stop()

    result, fts = integrity(data_dir / "registry.db")
    assert result == "ok" and fts is None, (result, fts)
    mirror = json.loads((data_dir / "registry-index.json").read_text())
    with sqlite3.connect(data_dir / "registry.db") as connection:
        rows = dict(connection.execute("SELECT id, title FROM artifacts").fetchall())
    assert {a["id"]: a["title"] for a in mirror["artifacts"]} == rows
    assert list((data_dir / ".uploads").iterdir()) == [] if (data_dir / ".uploads").exists() else True
    FIGURES.update(requests=sum(ledger.statuses.values()), statuses=dict(ledger.statuses),
                   rescans=dict(rescan_report), mirror_reads=mirror_report["reads"], seconds=round(elapsed, 1),
                   acknowledged_creates=len(ledger.created))
    print(f"\nconcurrency figures: {FIGURES}")
