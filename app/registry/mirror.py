"""registry-index.json: a complete, portable copy of the registry, rewritten off the request path.

The database is the source of truth. Each committed change bumps `generation`; a background thread
per process coalesces bursts and rewrites the mirror when its generation lags. Writers are
serialised across processes by an flock on a lock file that is never replaced; the file itself is
written to a temp name, fsynced, renamed over the old one and the folder fsynced (by the storage).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.db import MIRROR_LOCK, Database
from app.registry.store.repository import ArtifactRepository
from app.storage import Storage
from app.strictjson import loads as strict_loads
from app.timefmt import iso, utcnow

log = logging.getLogger(__name__)

INDEX_NAME = "registry-index.json"
INDEX_VERSION = "1.0.0"
FOREIGN_BACKUP = "registry-index.json.dotnet-backup"
# Below this size an export takes milliseconds: starting a child interpreter would cost more.
CHILD_PROCESS_FROM = 20_000
_HEADER_GENERATION = re.compile(rb'^\{\s*"version":[^{}]*?"generation":\s*(\d{1,19})\b')
RETRY_MAX_SECONDS = 60.0
AHEAD_STATE = "mirror_ahead"  # registry_state: the generation of a mirror found ahead of the database


class MirrorAhead(RuntimeError):
    """registry-index.json is at a later generation than the database: the database lost commits."""


@contextmanager
def file_lock(path: Path, blocking: bool = True) -> Iterator[bool]:
    """Hold an exclusive flock on `path` (created if missing, never replaced); yields False if busy."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_index(db: Database, storage: Storage) -> int:
    """Export the database to registry-index.json as one consistent snapshot; returns its generation."""
    with db.read() as connection:
        registry = ArtifactRepository(connection)
        generation = registry.generation()
        documents = list(registry.iter_documents())
    with storage.write_file(INDEX_NAME) as handle:
        handle.write(_header(generation, len(documents)).encode())
        for start in range(0, len(documents), 1000):
            prefix = "\n    " if start == 0 else ",\n    "
            handle.write((prefix + ",\n    ".join(documents[start:start + 1000])).encode())
        handle.write(("\n  ]\n}\n" if documents else "]\n}\n").encode())
    return generation


def _header(generation: int, count: int) -> str:
    head = {"version": INDEX_VERSION, "updated": iso(utcnow()), "generation": generation, "artifact_count": count}
    body = json.dumps(head, indent=2)[:-2]  # drop the closing "\n}" so the artifacts list can follow
    return body + ',\n  "artifacts": ['


def read_index(storage: Storage) -> dict | None:
    """The current registry-index.json (ours or the .NET format), or None if missing or unreadable."""
    try:
        doc = strict_loads(storage.read_bytes(INDEX_NAME).decode("utf-8-sig"))
    except Exception:  # missing, truncated, not (strict) JSON: kept aside and regenerated from the database
        return None
    return doc if isinstance(doc, dict) else None


def mirror_generation(storage: Storage) -> int | None:
    """The generation in registry-index.json's header (its first bytes only), or None (missing, not ours)."""
    try:
        head = storage.read_bytes(INDEX_NAME, limit=256)
    except Exception:  # missing or unreadable: nothing to compare
        return None
    match = _HEADER_GENERATION.match(head)
    return int(match.group(1)) if match else None


def _looks_complete(storage: Storage) -> bool:
    """A cheap check that the mirror is ours and not cut short (a full parse costs seconds at 100k)."""
    try:
        info = storage.stat(INDEX_NAME)
        with storage.open(INDEX_NAME) as handle:
            head = handle.read(64)
            handle.seek(max(0, info.size - 16))
            tail = handle.read()
    except Exception:  # missing or unreadable: rewrite it
        return False
    return head.startswith(b'{\n  "version"') and tail.rstrip().endswith(b"]\n}")


def preserve_foreign_index(storage: Storage) -> None:
    """Keep an index we did not write (the FlowTime .NET one) as a backup before replacing it."""
    try:
        head = storage.read_bytes(INDEX_NAME, limit=64)
    except Exception:  # no index yet: nothing to preserve
        return
    if b'"version"' not in head and not storage.exists(FOREIGN_BACKUP):
        storage.write_bytes(FOREIGN_BACKUP, storage.read_bytes(INDEX_NAME))


class MirrorWriter:
    """Keeps registry-index.json at the database's generation, coalescing bursts of changes."""

    def __init__(self, db: Database, storage: Storage, lock_path: Path, delay_seconds: float,
                 child_env: dict[str, str] | None = None):
        self.db = db
        self.storage = storage
        self.lock_path = lock_path
        self.delay = delay_seconds
        # With child_env the export runs in a short-lived child process, so serialising a large
        # registry never holds this worker's GIL while it serves requests.
        self.child_env = child_env
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()
        self._closed = False
        self._failures = 0  # consecutive failed syncs in this process (logged once per streak)
        self.background = True  # False in one-shot commands: they call sync() themselves

    def notify(self) -> None:
        """A change was committed: rewrite the mirror soon, off the request path."""
        if not self.background or self._closed:
            return
        self._ensure_thread()
        self._wake.set()

    def sync(self) -> bool:
        """Rewrite the mirror now if it lags the database (large registries: in a child process)."""
        if self.child_env is None or self._artifact_count() < CHILD_PROCESS_FROM:
            return self.sync_here()
        env = {**os.environ, **self.child_env}
        done = subprocess.run([sys.executable, "-m", "app.registry.mirror_job"], env=env, timeout=600,
                              capture_output=True, text=True)
        if done.returncode != 0:
            failure = RuntimeError(f"mirror export failed: {done.stderr.strip()[-2000:]}")
            self.report_failure(failure, record=False)  # the child recorded its own reason
            raise failure
        self._succeeded()
        return "wrote" in done.stdout

    def _artifact_count(self) -> int:
        with self.db.read() as connection:
            return ArtifactRepository(connection).count_all()

    def sync_here(self) -> bool:
        """Rewrite the mirror in this process if it lags the database; returns True if it wrote.

        A failure is recorded in the database (for /healthz, whichever process serves it) and logged at
        error level once per streak of failures; the next successful write clears it.
        """
        try:
            wrote = self._sync_locked()
        except Exception as exc:
            self.report_failure(exc)
            raise
        self._succeeded()
        return wrote

    def _succeeded(self) -> None:
        if self._failures:
            log.warning("registry-index.json: in step again after %d failed attempts", self._failures)
            self._failures = 0

    def report_failure(self, exc: Exception, record: bool = True) -> None:
        """Log (error level, once per streak of failures) and record for /healthz why the mirror was not written."""
        reason = str(exc) if isinstance(exc, MirrorAhead) else f"{type(exc).__name__}: {exc}"
        if not self._failures:
            log.error("registry-index.json cannot be written (%s); /healthz reports it until a write succeeds",
                      reason[:2000])
        self._failures += 1
        if not record:
            return
        try:
            with self.db.write() as connection:
                ArtifactRepository(connection).set_state("mirror_error", reason[:500])
        except Exception:  # the database may be what failed: the log line above is the report
            log.debug("could not record the mirror failure", exc_info=True)

    def _sync_locked(self) -> bool:
        with file_lock(self.lock_path), self.db.named_lock(MIRROR_LOCK):
            last_export_s = self._wait_for_quiet()
            with self.db.read() as connection:
                registry = ArtifactRepository(connection)
                database_generation = registry.generation()
                behind = int(registry.state("mirror_generation") or 0) < database_generation
                recorded_error = registry.state("mirror_error")
                flagged = registry.state(AHEAD_STATE)
            if not behind and not recorded_error and _looks_complete(self.storage):
                return False
            on_disk = mirror_generation(self.storage)
            if on_disk is not None and (on_disk > database_generation or flagged == str(on_disk)):
                # Remembered: once later writes carry the database past the mirror's generation, the
                # newer mirror is still what they must not overwrite (until start-up re-applies it).
                with self.db.write() as connection:
                    ArtifactRepository(connection).set_state(AHEAD_STATE, str(on_disk))
                raise MirrorAhead(
                    f"registry-index.json is at generation {on_disk}, ahead of the database ({database_generation}): "
                    "the database lost committed changes, so the newer mirror is kept, not overwritten; restart "
                    "the service (start-up re-applies it) or run `flask --app wsgi registry import-index "
                    "registry-index.json`")
            preserve_foreign_index(self.storage)
            started = time.monotonic()
            before = self.storage.change_token()
            generation = write_index(self.db, self.storage)
            after = self.storage.change_token()
            took = time.monotonic() - started
            with self.db.write() as connection:
                registry = ArtifactRepository(connection)
                registry.set_state("mirror_generation", str(generation))
                registry.set_state("mirror_updated", iso(utcnow()))
                registry.set_state("mirror_error", "")
                registry.set_state("mirror_export_s", f"{took:.3f}")
                # Lets auto-discovery tell the mirror's own rename from a new artifact folder.
                registry.set_state("mirror_tokens", json.dumps([before, after]))
            log.info("registry-index.json: generation %s written in %.2f s (previous export %.2f s)",
                     generation, took, last_export_s)
            return True

    def _wait_for_quiet(self) -> float:
        """Wait until no process has committed for `delay`, so a burst is exported once, after it ends.

        The wait is bounded by the previous export's duration: under a steady stream of changes the
        mirror is still rewritten every two export times or so. Returns that duration.
        """
        with self.db.read() as connection:
            registry = ArtifactRepository(connection)
            seen, last_export_s = registry.generation(), float(registry.state("mirror_export_s") or 0)
        deadline = time.monotonic() + last_export_s
        while self.delay > 0 and time.monotonic() < deadline:
            time.sleep(self.delay)
            with self.db.read() as connection:
                now = ArtifactRepository(connection).generation()
            if now == seen:
                break
            seen = now
        return last_export_s

    def _ensure_thread(self) -> None:
        # Started lazily so that it runs in the gunicorn worker, after the fork.
        with self._thread_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="mirror-writer", daemon=True)
                self._thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """Finish the pending rewrite (if any) and stop the background writer."""
        self._closed = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(self.delay)  # let a burst of changes land before writing once
            self._wake.clear()
            self._sync_quietly()
            if self._closed:
                return

    def _sync_quietly(self) -> None:
        try:
            self.sync()
        except Exception:  # keep the writer alive (sync_here logged and recorded it); retry with a back-off
            log.debug("mirror update failed", exc_info=True)
            if not self._closed:
                # A new change cuts the back-off short: space may have come back with it.
                self._wake.wait(min(RETRY_MAX_SECONDS, 2.0 ** min(self._failures, 6)))
                self._wake.set()
