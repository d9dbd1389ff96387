"""Crash safety: kill -9 during writes, loss of the database or the mirror, a corrupt database, full disks.

The kill harness SIGKILLs gunicorn workers (children of the master) at random and, every third round, the
whole tree, while clients write, upload, run and rescan. After a clean restart: `flask registry check`
passes, every acknowledged write is there, every unacknowledged one is entirely there or absent, no temp
file is left, the mirror catches up and a second rescan changes nothing. Marked `soak`: 5 rounds by default,
FLOWTIME_SOAK_ROUNDS=50 for the long run.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from app.startup import DatabaseCorrupt, prepare
from app.storage import local as local_storage
from app.storage.local import LocalStorage
from tests.conftest import EXAMPLES, SAMPLE_DATA, make_app
from tests.live import ROOT, LiveServer
from tests.reliability.conftest import assert_error_shape, sample_registry, soak_size

HELLO = (EXAMPLES / "hello.yaml").read_bytes()
WIDE = b"time_bin,arrivals,served\n2025-01-01T00:00:00Z,10,8\n2025-01-01T01:00:00Z,20,16\n"
FIGURES: dict = {}


# -- the kill -9 harness ----------------------------------------------------------------------------------
class Writer(threading.Thread):
    """One client writing until told to stop; remembers what was acknowledged and what was only attempted."""

    def __init__(self, number: int, base: str, state: dict, stop: threading.Event, seed: int):
        super().__init__(daemon=True)
        self.number, self.base, self.state, self.stop_event = number, base, state, stop
        self.rng = random.Random(seed)
        self.errors: list = []

    def request(self, method, path, **kwargs):
        try:
            response = requests.request(method, self.base + path, timeout=30, **kwargs)
        except requests.RequestException:
            return None  # unacknowledged: the worker died under us
        if response.status_code >= 500 and not (response.status_code == 503 and "Retry-After" in response.headers):
            if response.status_code != 502:  # never expected: gunicorn answers no 502 itself
                self.errors.append((method, path, response.status_code, response.text[:300]))
            return None
        return response

    def run(self):
        mine = self.state["mine"].setdefault(self.number, [])
        while not self.stop_event.is_set():
            op = self.rng.choice(["run", "run", "upload", "model", "edit", "edit", "delete", "rescan"])
            if op == "run":
                r = self.request("POST", "/v1/run", data=HELLO, headers={"Content-Type": "text/plain"})
                if r is not None and r.status_code == 200:
                    mine.append(r.json()["runId"])
                    self.state["acked"][r.json()["runId"]] = "run"
            elif op == "upload":
                r = self.request("POST", "/v1/telemetry", files={"file": ("t.csv", io.BytesIO(WIDE))})
                if r is not None and r.status_code == 201:
                    mine.append(r.json()["id"])
                    self.state["acked"][r.json()["id"]] = "telemetry"
            elif op == "model":
                r = self.request("POST", "/v1/templates/baseline/instantiate", json={"parameters": {"bins": 4}})
                if r is not None and r.status_code == 201:
                    mine.append(r.json()["artifactId"])
                    self.state["acked"][r.json()["artifactId"]] = "model"
            elif op == "edit" and mine:
                target, title = self.rng.choice(mine), f"w{self.number}-{self.rng.randrange(10**9)}"
                history = self.state["titles"].setdefault(target, [])
                history.append((title, None))
                r = self.request("PUT", f"/v1/artifacts/{target}", json={"title": title})
                if r is not None:
                    history[-1] = (title, r.status_code == 200)
            elif op == "delete" and mine:
                target = self.rng.choice(mine)
                verb = self.rng.choice(["DELETE", "RESTORE"])
                path = f"/v1/artifacts/{target}" + ("/restore" if verb == "RESTORE" else "")
                history = self.state["deleted"].setdefault(target, [])
                history.append((verb == "DELETE", None))
                r = self.request("POST" if verb == "RESTORE" else "DELETE", path)
                if r is not None:
                    history[-1] = (verb == "DELETE", r.status_code == 200)
            elif op == "rescan":
                self.request("POST", "/v1/artifacts/rescan")


def allowed_final(history: list, initial) -> set:
    """Values the field may hold: the last acknowledged one, or any attempt made after it."""
    last_acked = max((i for i, (_, ok) in enumerate(history) if ok), default=None)
    start = 0 if last_acked is None else last_acked
    values = {value for value, ok in history[start:] if ok is not False}
    if last_acked is None:
        values.add(initial)
    return values


def folder_problems(data_dir: Path, ignore: set[str]) -> list[str]:
    """Every artifact folder is complete (run: run.json, manifest.json, each indexed series), nothing partial."""
    problems = []
    for run in [*data_dir.glob("run_*"), *data_dir.glob("runs/*")]:
        if run.name.startswith(".") or not run.is_dir() or run.name in ignore:
            continue
        if not (run / "run.json").is_file() or not (run / "manifest.json").is_file():
            problems.append(f"incomplete run {run.name}")
            continue
        index = run / "series" / "index.json"
        if index.is_file():
            for entry in json.loads(index.read_text())["series"]:
                if not (run / entry["path"]).is_file():
                    problems.append(f"{run.name}: missing {entry['path']}")
        for entry in json.loads((run / "run.json").read_text()).get("series") or []:
            if not (run / entry["path"]).is_file():
                problems.append(f"{run.name}: missing {entry['path']}")
    for kind, needed in (("telemetry", ("metadata.json", "catalog.json")), ("models", ("metadata.json",))):
        for folder in (data_dir / kind).glob("*") if (data_dir / kind).is_dir() else []:
            if folder.name.startswith("."):
                continue
            missing = [n for n in needed if not (folder / n).is_file()]
            if missing:
                problems.append(f"incomplete {kind} {folder.name}: {missing}")
            else:
                json.loads((folder / "metadata.json").read_text())
    return problems


def temp_leftovers(data_dir: Path) -> list[str]:
    found = [str(p.relative_to(data_dir)) for p in data_dir.rglob(".tmp-*")]
    spool = data_dir / ".uploads"
    found += [f".uploads/{p.name}" for p in spool.iterdir()] if spool.is_dir() else []
    return found


def wait_healthy(base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError("the service did not come back")


def registry_check(data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "FLOWTIME_DATA_DIR": str(data_dir)}
    flask = Path(sys.executable).parent / "flask"
    return subprocess.run([str(flask), "--app", "wsgi", "registry", "check"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def wait_mirror_in_step(base: str, seconds: float = 30) -> None:
    """The snapshot catches up with the database within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        index = requests.get(f"{base}/v1/artifacts/stats", timeout=30).json()["index"]
        if index["generation"] == index["database_generation"] or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert index["generation"] == index["database_generation"], index


def kill_rounds(tmp_path: Path, rounds: int, seed: int = 42, delay_ms: str = "20", lose_database: bool = False) -> dict:
    """Kill workers and the whole tree under a steady write stream; `lose_database` deletes registry.db* at the end.

    With a long `delay_ms` the snapshot is rewritten only at start-ups, so after a lost database the
    acknowledged writes come back from the journal.
    """
    rng = random.Random(seed)
    data_dir = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA, data_dir)
    server = LiveServer(data_dir, {"WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "4",
                                   "FLOWTIME_MIRROR_DELAY_MS": delay_ms}).start()
    state = {"acked": {}, "titles": {}, "deleted": {}, "mine": {}}
    worker_kills = tree_kills = 0
    errors: list = []
    try:
        for number in range(rounds):
            stop = threading.Event()
            writers = [Writer(n, server.base, state, stop, seed=rng.randrange(10**9)) for n in range(4)]
            for writer in writers:
                writer.start()
            time.sleep(rng.uniform(0.3, 1.0))
            if number % 3 == 2:
                server.kill_tree()
                tree_kills += 1
            else:
                pids = server.worker_pids()
                if pids:
                    os.kill(rng.choice(pids), signal.SIGKILL)
                    worker_kills += 1
            time.sleep(0.3)
            stop.set()
            for writer in writers:
                writer.join(60)
                errors += writer.errors
            if server.process is None:
                server.start()  # a clean restart: start-up sweeps temp files and syncs the mirror
            else:
                wait_healthy(server.base)
        server.kill_tree()  # end on a power cut too
        tree_kills += 1
        if lose_database:
            for name in ("registry.db", "registry.db-wal", "registry.db-shm"):
                (data_dir / name).unlink(missing_ok=True)
        server.start()
        base = server.base
        assert errors == [], errors[:5]

        # every acknowledged create is there, with the right type
        for artifact_id, kind in state["acked"].items():
            r = requests.get(f"{base}/v1/artifacts/{artifact_id}?include_deleted=true", timeout=30)
            assert r.status_code == 200 and r.json()["type"] == kind, (artifact_id, r.status_code)
        # edits: the last acknowledged value, or a later attempt that landed entirely
        first = requests.post(f"{base}/v1/artifacts/rescan", timeout=120).json()  # adopt unacknowledged folders
        for artifact_id, history in state["titles"].items():
            r = requests.get(f"{base}/v1/artifacts/{artifact_id}?include_deleted=true", timeout=30)
            if r.status_code == 404:  # an unacknowledged create: never acknowledged, so never promised
                assert artifact_id not in state["acked"]
                continue
            title = r.json()["title"]
            if not any(ok for _, ok in history):
                continue  # never acknowledged: any earlier value is fine
            assert title in allowed_final(history, None), (artifact_id, title, history)
        for artifact_id, history in state["deleted"].items():
            r = requests.get(f"{base}/v1/artifacts/{artifact_id}?include_deleted=true", timeout=30)
            if r.status_code == 404 or not any(ok for _, ok in history):
                continue
            deleted = r.json()["deleted_at"] is not None
            assert deleted in allowed_final(history, None), (artifact_id, deleted, history)
        # whole or absent, nothing partial under a final name, temp files swept at start
        # the sample data's deliberately broken folders are not ours to judge
        assert folder_problems(data_dir, {p.name for p in SAMPLE_DATA.iterdir()}) == []
        second = requests.post(f"{base}/v1/artifacts/rescan", timeout=120).json()
        assert (second["added"], second["updated"], second["removed"]) == (0, 0, 0), (first, second)
        if int(delay_ms) < 10_000:  # a held-back snapshot: `registry check` (snapshot + journal) covers it below
            wait_mirror_in_step(base)
    finally:
        server.stop()
    assert temp_leftovers(data_dir) == []
    check = registry_check(data_dir)
    assert check.returncode == 0, check.stdout + check.stderr
    return {"rounds": rounds, "worker_kills": worker_kills, "tree_kills": tree_kills,
            "acknowledged_creates": len(state["acked"]),
            "edits_acknowledged": sum(ok is True for h in state["titles"].values() for _, ok in h)}


@pytest.mark.soak
def test_kill_9_rounds(tmp_path):
    """5 rounds by default; FLOWTIME_SOAK_ROUNDS=50 for the long run."""
    figures = kill_rounds(tmp_path, soak_size("FLOWTIME_SOAK_ROUNDS", 5))
    FIGURES.update(figures)
    print(f"\ncrash figures: {figures}")


@pytest.mark.soak
def test_kill_9_rounds_then_the_database_is_lost(tmp_path):
    """The snapshot held back (10 min delay): after the last power cut registry.db* are deleted too."""
    figures = kill_rounds(tmp_path, soak_size("FLOWTIME_SOAK_ROUNDS", 5), seed=7, delay_ms="600000",
                          lose_database=True)
    FIGURES.update({f"journal_{k}": v for k, v in figures.items()})
    print(f"\ncrash figures (journal, database lost): {figures}")


def test_startup_sweeps_leftover_temp_files(tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA, data_dir)
    (data_dir / ".tmp-run_20250101T000000Z_deadbeef-1234abcd").mkdir()
    (data_dir / ".tmp-run_20250101T000000Z_deadbeef-1234abcd" / "run.json").write_text("{")
    (data_dir / "models").mkdir()
    (data_dir / "models" / ".tmp-model_x-0000aaaa").mkdir()
    (data_dir / ".tmp-registry-index.json-0badf00d").write_text("{\"half")
    (data_dir / ".uploads").mkdir()
    (data_dir / ".uploads" / "upload-abc.part").write_bytes(b"t,value\n0,")
    prepare({"data_dir": data_dir, "mirror_process": False})
    assert temp_leftovers(data_dir) == []


# -- write ordering (power loss) --------------------------------------------------------------------------
@contextmanager
def recorded_io(monkeypatch):
    """Record fsync (with the path of the fd), rename and replace, in call order."""
    events: list[tuple[str, str]] = []
    real_fsync, real_rename, real_replace = os.fsync, os.rename, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def rename(src, dst, *args, **kwargs):
        events.append(("rename", f"{src} -> {dst}"))
        return real_rename(src, dst, *args, **kwargs)

    def replace(src, dst, *args, **kwargs):
        events.append(("rename", f"{src} -> {dst}"))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(local_storage.os, "fsync", fsync)
    monkeypatch.setattr(local_storage.os, "rename", rename)
    monkeypatch.setattr(local_storage.os, "replace", replace)
    yield events


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc to name file descriptors")
def test_write_file_orders_fsync_rename_fsync_dir(tmp_path, monkeypatch):
    storage = LocalStorage(tmp_path)
    with recorded_io(monkeypatch) as events:
        with storage.write_file("registry-index.json") as handle:
            handle.write(b"{}")
    kinds = [e[0] for e in events]
    assert kinds == ["fsync", "rename", "fsync"], events
    temp = events[1][1].split(" -> ")[0]
    assert events[0][1] == temp and Path(temp).name.startswith(".tmp-")  # the temp file's data first
    assert events[1][1].endswith(" -> " + str(tmp_path.resolve() / "registry-index.json"))
    assert events[2][1] == str(tmp_path.resolve())  # then the folder holding the new name
    assert (tmp_path / "registry-index.json").read_bytes() == b"{}"


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc to name file descriptors")
def test_write_folder_orders_fsync_files_dirs_rename_parent(tmp_path, monkeypatch):
    storage = LocalStorage(tmp_path)
    with recorded_io(monkeypatch) as events:
        with storage.write_folder("runs/run_x") as folder:
            folder.write_bytes("run.json", b"{}")
            folder.write_bytes("series/a.csv", b"t,value\n")
    renames = [i for i, e in enumerate(events) if e[0] == "rename"]
    assert len(renames) == 1, events
    before, after = events[:renames[0]], events[renames[0] + 1:]
    temp = events[renames[0]][1].split(" -> ")[0]
    synced = {path for _, path in before}
    assert {f"{temp}/run.json", f"{temp}/series/a.csv", temp, f"{temp}/series"} <= synced, events
    assert after == [("fsync", str((tmp_path / "runs").resolve()))], events


def test_mirror_write_goes_through_write_file(tmp_path, monkeypatch):
    """The mirror uses the ordered write above (never an in-place rewrite of registry-index.json)."""
    app = make_app(tmp_path)
    calls = []
    real = LocalStorage.write_file

    def spy(self, key):
        calls.append(key)
        return real(self, key)

    monkeypatch.setattr(LocalStorage, "write_file", spy)
    try:
        app.test_client().post("/v1/run", data=HELLO, content_type="text/plain")
        app.extensions["flowtime"].mirror.sync_here()
    finally:
        app.extensions["flowtime"].close()
    assert "registry-index.json" in calls


# -- loss of the database or the mirror, a corrupt database -----------------------------------------------
def _populated(tmp_path: Path):
    app, ctx, data_dir = sample_registry(tmp_path)
    client = app.test_client()
    run = client.post("/v1/run?seed=3", data=HELLO, content_type="text/plain").json["runId"]
    model = client.post("/v1/templates/baseline/instantiate", json={"parameters": {"bins": 4}}).json["artifactId"]
    telemetry = client.post("/v1/telemetry", data={"file": (io.BytesIO(WIDE), "t.csv")},
                            content_type="multipart/form-data").json["id"]
    assert client.patch(f"/v1/artifacts/{run}", json={"title": "Edited run", "description": "kept",
                                                      "tags": ["keep", "baseline"]}).status_code == 200
    assert client.put(f"/v1/artifacts/{model}", json={"title": "Edited model", "tags": ["m"]}).status_code == 200
    assert client.post(f"/v1/artifacts/{telemetry}/relationships", json={"derived_from": [run]}).status_code == 200
    assert client.delete("/v1/artifacts/run_20250922T090000Z_1a2b3c4d").status_code == 200
    assert client.post("/v1/artifacts/archive", json=[model]).status_code == 200
    ctx.mirror.sync_here()
    snapshot = _snapshot(client)
    ctx.close()
    return data_dir, snapshot


def _snapshot(client) -> dict:
    listed = client.get("/v1/artifacts?include_deleted=true&include_archived=true&limit=1000").json["artifacts"]
    return {a["id"]: (a["type"], a["title"], a.get("description"), sorted(a["tags"]), a["deleted_at"] is not None,
                      sorted(a["relationships"]["derived_from"]), sorted(a["relationships"]["generates"]))
            for a in listed}


def _restart(data_dir: Path) -> dict:
    prepare({"data_dir": data_dir, "mirror_process": False})
    app = make_app(data_dir)
    try:
        return _snapshot(app.test_client())
    finally:
        app.extensions["flowtime"].close()


def test_loss_of_the_database_restores_every_artifact_with_edits_links_and_tombstones(tmp_path):
    data_dir, before = _populated(tmp_path)
    for name in ("registry.db", "registry.db-wal", "registry.db-shm"):
        (data_dir / name).unlink(missing_ok=True)
    after = _restart(data_dir)
    assert after == before


@pytest.mark.parametrize("damage", ["delete", "truncate", "garbage", "empty", "wrong-shape"])
def test_loss_or_corruption_of_the_mirror_is_regenerated(tmp_path, damage):
    data_dir, before = _populated(tmp_path)
    mirror = data_dir / "registry-index.json"
    if damage == "delete":
        mirror.unlink()
    elif damage == "truncate":
        mirror.write_bytes(mirror.read_bytes()[: mirror.stat().st_size // 2])
    elif damage == "garbage":
        mirror.write_bytes(os.urandom(4096))
    elif damage == "empty":
        mirror.write_bytes(b"")
    else:
        mirror.write_text("[1, 2, 3]")
    assert _restart(data_dir) == before
    doc = json.loads(mirror.read_text())
    assert {a["id"] for a in doc["artifacts"]} == set(before)
    check = registry_check(data_dir)
    assert check.returncode == 0, check.stdout + check.stderr


def test_corrupt_database_refuses_to_start_and_is_never_overwritten(tmp_path):
    data_dir, before = _populated(tmp_path)
    database = data_dir / "registry.db"
    raw = bytearray(database.read_bytes())
    raw[:100] = b"\x00GARBAGE!" * 11 + b"\x00"
    database.write_bytes(bytes(raw))
    digest = hashlib.sha256(database.read_bytes()).hexdigest()
    with pytest.raises(DatabaseCorrupt) as refused:
        prepare({"data_dir": data_dir, "mirror_process": False})
    message = str(refused.value)
    assert "registry rebuild" in message and str(database) in message
    assert hashlib.sha256(database.read_bytes()).hexdigest() == digest
    # gunicorn refuses to start too, with the same message in its log
    server = LiveServer(data_dir, {"WEB_CONCURRENCY": "1"})
    with pytest.raises(RuntimeError) as failed:
        server.start(timeout=30)
    assert "registry rebuild" in str(failed.value)
    assert hashlib.sha256(database.read_bytes()).hexdigest() == digest
    # following the message brings everything back
    database.rename(data_dir / "registry.db.corrupt")
    for name in ("registry.db-wal", "registry.db-shm"):
        (data_dir / name).unlink(missing_ok=True)
    env = {**os.environ, "FLOWTIME_DATA_DIR": str(data_dir)}
    flask = Path(sys.executable).parent / "flask"
    done = subprocess.run([str(flask), "--app", "wsgi", "registry", "rebuild"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _restart(data_dir) == before


# -- disk full and I/O errors ------------------------------------------------------------------------------
class _FailingHandle(io.RawIOBase):
    """Accepts `budget` bytes, then fails every write with the given errno."""

    def __init__(self, inner, error: int, budget: int):
        self.inner, self.error, self.budget = inner, error, budget

    def writable(self):
        return True

    def write(self, data):
        if len(data) > self.budget:  # a short write of what fits, then the error (as a full disk does)
            self.inner.write(bytes(data[: self.budget]))
            self.budget = 0
            raise OSError(self.error, os.strerror(self.error))
        self.budget -= len(data)
        return self.inner.write(data)

    def fileno(self):
        return self.inner.fileno()

    def flush(self):
        self.inner.flush()


@pytest.fixture
def failing_disk(monkeypatch):
    """Make artifact folder writes fail with a chosen errno after a few bytes."""

    # the local folder writer class (renamed TempFolderWriter by a concurrent refactor; either name works)
    writer = getattr(local_storage, "TempFolderWriter", None) or local_storage._LocalFolderWriter

    def arm(error: int, budget: int = 10):
        real_open = writer.open

        @contextmanager
        def failing_open(self, name):
            with real_open(self, name) as handle:
                yield _FailingHandle(handle, error, budget)

        monkeypatch.setattr(writer, "open", failing_open)

    return arm


def artifact_folders(data_dir: Path) -> list[str]:
    """Every visible folder except the (possibly just created, empty) parents runs/, models/, telemetry/."""
    found = []
    for path in data_dir.rglob("*"):
        relative = path.relative_to(data_dir)
        if not path.is_dir() or relative.parts[0].startswith("."):
            continue
        if len(relative.parts) == 1 and path.name in ("runs", "models", "telemetry"):
            continue
        found.append(str(relative))
    return sorted(found)


REQUESTS = {
    "run": lambda c: c.post("/v1/run", data=HELLO, content_type="text/plain"),
    "upload": lambda c: c.post("/v1/telemetry", data={"file": (io.BytesIO(WIDE), "t.csv")},
                               content_type="multipart/form-data"),
    "instantiate": lambda c: c.post("/v1/templates/baseline/instantiate", json={"parameters": {"bins": 4}}),
    "model": lambda c: c.post("/v1/models", data=HELLO, content_type="text/plain"),
}


@pytest.mark.parametrize(("error", "status"), [(errno.ENOSPC, 507), (errno.EDQUOT, 507), (errno.EIO, 503)])
@pytest.mark.parametrize("kind", sorted(REQUESTS))
def test_disk_full_and_io_errors_are_clean(data_dir, failing_disk, error, status, kind):
    app = make_app(data_dir)
    client = app.test_client()
    try:
        first = client.post("/v1/run?seed=1", data=HELLO, content_type="text/plain").json
        kept = {p: p.read_bytes() for p in (data_dir / first["artifactPath"]).rglob("*") if p.is_file()}
        before = client.get("/v1/artifacts?include_deleted=true").json["total"]
        folders = artifact_folders(data_dir)
        failing_disk(error)
        response = REQUESTS[kind](client)
        assert response.status_code == status, (response.status_code, response.get_data()[:300])
        assert_error_shape(status, response.get_data(), kind)
        assert b"Traceback" not in response.get_data() and str(data_dir).encode() not in response.get_data()
        if status == 503:
            assert response.headers.get("Retry-After")
        assert client.get("/v1/artifacts?include_deleted=true").json["total"] == before
        assert artifact_folders(data_dir) == folders  # no partial artifact
        assert not [p for p in data_dir.rglob(".tmp-*") if "registry-index" not in p.name]
        assert {p: p.read_bytes() for p in (data_dir / first["artifactPath"]).rglob("*") if p.is_file()} == kept
    finally:
        app.extensions["flowtime"].close()


def test_mirror_write_failure_keeps_the_previous_mirror(data_dir, monkeypatch):
    app = make_app(data_dir)
    ctx = app.extensions["flowtime"]
    client = app.test_client()
    try:
        run = client.post("/v1/run", data=HELLO, content_type="text/plain").json["runId"]
        ctx.mirror.sync_here()
        mirror = data_dir / "registry-index.json"
        previous = mirror.read_bytes()
        real_fsync = os.fsync

        def full(fd):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(local_storage.os, "fsync", full)
        assert client.put(f"/v1/artifacts/{run}", json={"title": "while full"}).status_code == 200
        with pytest.raises(Exception):  # noqa: B017 - any error: the point is what it leaves behind
            ctx.mirror.sync_here()
        assert mirror.read_bytes() == previous and json.loads(previous)
        assert not list(data_dir.glob(".tmp-registry-index.json*"))
        monkeypatch.setattr(local_storage.os, "fsync", real_fsync)
        ctx.mirror.sync_here()  # (its background writer may have caught up first: either way)
        assert "while full" in mirror.read_text()
    finally:
        ctx.close()
