"""The reference column: the same corpus in a plain SQLite file with an FTS5 table, served by Datasette.

The file is what `sqlite-utils insert` + `enable-fts --create-triggers` + `create-index` would make:
one `artifacts` table (id primary key, tags as a JSON array), an external-content FTS5 table over
title, description and tags kept in sync by triggers, indexes on created, type and source. It is
built once per corpus from the registry's own rows (cached beside the corpus) and copied per run,
since the workload's writes change it (applied straight into the file, as the issue asks).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from common import BIN, free_port

DATASETTE_SETTINGS = {"suggest_facets": "off", "sql_time_limit_ms": "1000", "facet_time_limit_ms": "1000",
                      "num_sql_threads": "4"}
SCHEMA = """
CREATE TABLE artifacts (id TEXT PRIMARY KEY, type TEXT, title TEXT, description TEXT, source TEXT,
    tags TEXT, tags_text TEXT, created TEXT, modified TEXT, size_bytes INTEGER, path TEXT, series_summary TEXT);
CREATE VIRTUAL TABLE artifacts_fts USING fts5(title, description, tags_text, content="artifacts");
CREATE TRIGGER artifacts_ai AFTER INSERT ON artifacts BEGIN
  INSERT INTO artifacts_fts (rowid, title, description, tags_text)
  VALUES (new.rowid, new.title, new.description, new.tags_text);
END;
CREATE TRIGGER artifacts_ad AFTER DELETE ON artifacts BEGIN
  INSERT INTO artifacts_fts (artifacts_fts, rowid, title, description, tags_text)
  VALUES ('delete', old.rowid, old.title, old.description, old.tags_text);
END;
CREATE TRIGGER artifacts_au AFTER UPDATE ON artifacts BEGIN
  INSERT INTO artifacts_fts (artifacts_fts, rowid, title, description, tags_text)
  VALUES ('delete', old.rowid, old.title, old.description, old.tags_text);
  INSERT INTO artifacts_fts (rowid, title, description, tags_text)
  VALUES (new.rowid, new.title, new.description, new.tags_text);
END;
"""
# what a run of hello.yaml stores: 8 bins served at 8 per bin
SERVED_SUMMARY = json.dumps({"served": {"points": 8, "min": 8, "max": 8, "mean": 8, "sum": 64, "last": 8}})
INDEXES = ("CREATE INDEX idx_artifacts_created ON artifacts (created)",
           "CREATE INDEX idx_artifacts_type ON artifacts (type)",
           "CREATE INDEX idx_artifacts_source ON artifacts (source)")


def build(registry_db: Path, out: Path) -> dict:
    """Copy the live artifacts of registry_db into a new Datasette-style file `out`; its build stats."""
    start = time.perf_counter()
    out.unlink(missing_ok=True)
    with sqlite3.connect(out) as conn:
        conn.executescript(SCHEMA)
        conn.execute("ATTACH DATABASE ? AS reg", (f"file:{registry_db}?mode=ro",))
        conn.execute("INSERT INTO artifacts SELECT id, type, title, description, source, tags_json, tags_text, "
                     "created, modified, size_bytes, path, series_summary FROM reg.artifacts "
                     "WHERE deleted_at IS NULL AND NOT archived ORDER BY created, id")
        conn.commit()
        conn.execute("DETACH DATABASE reg")
        for statement in INDEXES:
            conn.execute(statement)
        conn.execute("ANALYZE")
        rows = conn.execute("SELECT count(*) FROM artifacts").fetchone()[0]
    with sqlite3.connect(out) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
    return {"rows": rows, "seconds": round(time.perf_counter() - start, 1), "mb": round(out.stat().st_size / 1e6, 1)}


def cached_copy(registry_db: Path, cache: Path, work: Path) -> tuple[Path, dict]:
    """(a fresh copy of the cached Datasette file for this run, build stats); builds the cache if stale."""
    marker = cache.with_suffix(".json")
    source_mtime = registry_db.stat().st_mtime
    info = json.loads(marker.read_text()) if marker.exists() and cache.exists() else {}
    if info.get("source_mtime") != source_mtime:
        info = {**build(registry_db, cache), "source_mtime": source_mtime}
        marker.write_text(json.dumps(info))
        print(f"built the Datasette file {cache}: {info}", flush=True)
    work.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(cache, work)
    return work, info


@contextmanager
def serve(db_file: Path, startup_timeout: float = 120):
    """`datasette serve` on a free port in its own process group; yields the base URL; always killed."""
    port = free_port()
    log = open(Path(tempfile.gettempdir()) / f"flowtime-bench-datasette-{port}.log", "wb")
    command = [str(BIN / "datasette"), "serve", str(db_file), "--host", "127.0.0.1", "--port", str(port)]
    for key, value in DATASETTE_SETTINGS.items():
        command += ["--setting", key, value]
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"datasette exited with {proc.returncode}; see {log.name}")
            try:
                if requests.get(base + "/-/versions.json", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"datasette not up after {startup_timeout} s; see {log.name}")
            time.sleep(0.1)
        print(f"datasette {base} up ({' '.join(command[2:])})", flush=True)
        yield base, proc.pid
    finally:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
                proc.wait(timeout=wait)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        log.close()


def version() -> str:
    """The installed Datasette version."""
    done = subprocess.run([str(BIN / "datasette"), "--version"], capture_output=True, text=True)
    return done.stdout.strip().rsplit(" ", 1)[-1]


class SqliteWriter:
    """Applies the workload's writes straight to the Datasette file (UPDATE or INSERT; triggers keep FTS)."""

    def __init__(self, db_file: Path):
        self.conn = sqlite3.connect(db_file, timeout=30, check_same_thread=False)
        self.lock = threading.Lock()  # one connection shared by the writer threads (SQLite serialises writes)

    def apply(self, write, now_iso: str) -> str:
        """One write in its own transaction; returns the id written."""
        with self.lock, self.conn:
            if write.kind == "edit":
                self.conn.execute("UPDATE artifacts SET title = ?, tags = ?, tags_text = ?, modified = ? WHERE id = ?",
                                  (write.title, json.dumps(write.tags), " ".join(write.tags), now_iso,
                                   write.artifact_id))
                return write.artifact_id
            artifact_id = f"run_bench_{write.seed}"
            self.conn.execute("INSERT OR REPLACE INTO artifacts VALUES (?, 'run', ?, ?, 'engine', ?, ?, ?, ?, ?, ?, ?)",
                              (artifact_id, f"Run hello (seed {write.seed})", "FlowTime engine run of hello.yaml",
                               '["engine"]', "engine", now_iso, now_iso, 4096, artifact_id, SERVED_SUMMARY))
            return artifact_id

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
