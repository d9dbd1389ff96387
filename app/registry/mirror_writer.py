"""The snapshot writer: rewrites registry-index.json at a bounded rate and compacts the journal behind it.

Every committed change is already in the journal (app.registry.journal) when its request is answered,
so the snapshot can lag. A change schedules a snapshot `delay` seconds later (a bulk change, or a
journal grown past a fraction of the snapshot, at once); whatever the schedule, a snapshot starts no
sooner after the previous one than its export time allows within the CPU share (10 % of a core: nine
export times of rest). Writers are serialised across processes by an flock on a lock file that is
never replaced and by the database's named lock; the file is written to a temp name, fsynced, renamed
and the folder fsynced (by the storage).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from app.db import MIRROR_LOCK, Database
from app.registry.journal import Journal
from app.registry.locks import file_lock
from app.registry.mirror import (
    AHEAD_STATE,
    INDEX_NAME,
    MirrorAhead,
    looks_complete,
    mirror_generation,
    patch_index,
    preserve_foreign_index,
    write_index,
)
from app.registry.mirror_budget import (
    children_cpu,
    count_cost,
    journal_outgrew_snapshot,
    last_cost,
    rest_until,
)
from app.registry.store.repository import ArtifactRepository
from app.registry.store.rewrites import forget_rewrites
from app.storage import Storage
from app.timefmt import iso, utcnow

log = logging.getLogger(__name__)

# Below this size an export takes milliseconds: starting a child interpreter would cost more.
CHILD_PROCESS_FROM = 20_000
RETRY_MAX_SECONDS = 60.0


class MirrorWriter:
    """Keeps registry-index.json within `delay` (plus the CPU budget) of the database."""

    def __init__(self, db: Database, storage: Storage, journal: Journal, lock_path: Path, delay_seconds: float,
                 cpu_share: float = 0.1, child_env: dict[str, str] | None = None):
        self.db = db
        self.storage = storage
        self.journal = journal
        self.lock_path = lock_path
        self.delay = delay_seconds
        self.rest_factor = (1 - cpu_share) / cpu_share  # idle time per second of export
        # With child_env the export runs in a short-lived child process, so serialising a large
        # registry never holds this worker's GIL while it serves requests.
        self.child_env = child_env
        self._wake = threading.Event()
        self._due: float | None = None  # monotonic time the next snapshot is wanted by this process
        self._thread: threading.Thread | None = None
        self._thread_lock = threading.Lock()
        self._closed = False
        self._failures = 0  # consecutive failed syncs in this process (logged once per streak)
        self.background = True  # False in one-shot commands: they call sync() themselves

    def notify(self, urgent: bool = False) -> None:
        """A change was committed (and journaled): schedule a snapshot, off the request path."""
        if not self.background or self._closed:
            return
        due = time.monotonic() + (0 if urgent else self.delay)
        with self._thread_lock:
            self._due = due if self._due is None else min(self._due, due)
        self._ensure_thread()
        self._wake.set()

    def sync(self, scheduled: bool = False) -> bool:
        """Rewrite the snapshot now if it lags the database (large registries: in a child process).

        `scheduled`: the background writer's turn, skipped when another process rewrote it meanwhile and its
        CPU share's rest has not passed (every worker has a writer; they take turns under the lock)."""
        if self.child_env is None or self._artifact_count() < CHILD_PROCESS_FROM:
            return self.sync_here(scheduled=scheduled)
        if scheduled and self._rest_until() > time.monotonic():
            return False  # another worker's turn ran meanwhile: no child for a turn that would be skipped
        patched = self.sync_here(scheduled=scheduled, export=False)  # a patch is system calls, barely the GIL
        if patched is not None:
            return patched
        env = {**os.environ, **self.child_env}
        children_before = children_cpu()
        done = subprocess.run([sys.executable, "-m", "app.registry.mirror_job", *(["--scheduled"] if scheduled else [])],
                              env=env, timeout=600,
                              capture_output=True, text=True)
        if done.returncode != 0:
            failure = RuntimeError(f"mirror export failed: {done.stderr.strip()[-2000:]}")
            self.report_failure(failure, record=False)  # the child recorded its own reason
            raise failure
        self._succeeded()
        wrote = "wrote" in done.stdout
        if wrote:  # the CPU share counts the child's start-up too, not only its export
            child_cpu = children_cpu() - children_before
            with self.db.write() as connection:
                registry = ArtifactRepository(connection)
                count_cost(registry, child_cpu, total=child_cpu - last_cost(registry))  # the child counted its export
        return wrote

    def _artifact_count(self) -> int:
        with self.db.read() as connection:
            return ArtifactRepository(connection).count_all()

    def sync_here(self, force: bool = False, scheduled: bool = False, export: bool = True) -> bool | None:
        """Rewrite the snapshot in this process if it lags the database (or `force`); returns True if it wrote.

        `export=False`: patch it only, None when that is not possible (the caller exports in a child).

        A failure is recorded in the database (for /healthz, whichever process serves it) and logged at
        error level once per streak of failures; the next successful write clears it.
        """
        try:
            wrote = self._sync_locked(force, scheduled, export)
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

    def _sync_locked(self, force: bool = False, scheduled: bool = False, export: bool = True) -> bool | None:
        with file_lock(self.lock_path), self.db.named_lock(MIRROR_LOCK):
            if scheduled and self._rest_until() > time.monotonic():
                return False  # another worker's writer rewrote it while this one waited for the lock
            with self.db.read() as connection:
                registry = ArtifactRepository(connection)
                database_generation = registry.generation()
                behind = int(registry.state("mirror_generation") or 0) < database_generation
                recorded_error = registry.state("mirror_error")
                flagged = registry.state(AHEAD_STATE)
                registry_id = registry.state("registry_id") or ""
            if not force and not behind and not recorded_error and looks_complete(self.storage):
                return False
            self._refuse_if_ahead(database_generation, flagged)
            preserve_foreign_index(self.storage)
            started, cpu = time.monotonic(), time.thread_time()  # this thread's: a worker's requests run beside it
            before = self.storage.change_token()
            written = self._write_snapshot(export)
            if written is None:
                return None
            generation, how = written
            after = self.storage.change_token()
            self.journal.compact(registry_id, generation)
            took, cpu_took = time.monotonic() - started, time.thread_time() - cpu
            self._record_snapshot(generation, cpu_took, [before, after])
            log.info("registry-index.json: generation %s %s in %.2f s (%.2f s CPU); journal compacted",
                     generation, how, took, cpu_took)
            return True

    def _write_snapshot(self, export: bool) -> tuple[int, str] | None:
        """Patch the snapshot with what changed since it (O(change)), or export it in full when it cannot
        (None instead, unless `export`)."""
        try:
            generation = patch_index(self.db, self.storage)
        except Exception as exc:  # SnapshotUnreadable, or any fault of the patch: the export still runs
            log.warning("registry-index.json cannot be patched (%s: %s): exported in full", type(exc).__name__, exc)
            generation = None
        if generation is not None:
            return generation, "patched"
        return (write_index(self.db, self.storage), "exported") if export else None

    def _refuse_if_ahead(self, database_generation: int, flagged: str | None) -> None:
        """A snapshot or journal at a later generation than the database holds commits the database lost."""
        on_disk = max(mirror_generation(self.storage) or 0, self.journal.read().last_generation)
        # Read after the files: a change committed meanwhile is in the database before it is in the journal.
        with self.db.read() as connection:
            database_generation = max(database_generation, ArtifactRepository(connection).generation())
        if on_disk > database_generation or flagged:
            # Remembered: once later writes carry the database past that generation, the newer
            # mirror is still what they must not overwrite (until start-up re-applies it).
            if not flagged:
                with self.db.write() as connection:
                    ArtifactRepository(connection).set_state(AHEAD_STATE, str(on_disk))
            on_disk = max(on_disk, int(flagged or 0))
            raise MirrorAhead(
                f"{INDEX_NAME} and its journal reach generation {on_disk}, ahead of the database "
                f"({database_generation}): the database lost committed changes, so they are kept, not "
                "overwritten; restart the service (start-up re-applies them) or run `flask --app wsgi registry "
                "rebuild`")

    def _record_snapshot(self, generation: int, cpu_seconds: float, tokens: list) -> None:
        with self.db.write() as connection:
            registry = ArtifactRepository(connection)
            registry.set_state("mirror_generation", str(generation))
            registry.set_state("mirror_updated", iso(utcnow()))
            registry.set_state("mirror_finished_at", f"{time.time():.3f}")
            registry.set_state("mirror_error", "")
            count_cost(registry, cpu_seconds)
            # Lets auto-discovery tell the mirror's own rename from a new artifact folder.
            registry.set_state("mirror_tokens", json.dumps(tokens))
            forget_rewrites(connection, generation)

    def unbudget_last(self) -> None:
        """Leave the last rewrite out of the CPU share: start-up's runs before any request is served (at 1M, a
        full export's 30 s would otherwise hold the first patch back 270 s)."""
        with self.db.write() as connection:
            count_cost(ArtifactRepository(connection), 0.0, total=0.0)

    def _rest_until(self) -> float:
        """Monotonic time before which no snapshot may start (the previous one's CPU time, times the rest)."""
        with self.db.read() as connection:
            return rest_until(ArtifactRepository(connection), self.rest_factor)

    def _ensure_thread(self) -> None:
        # Started lazily so that it runs in the gunicorn worker, after the fork.
        with self._thread_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="mirror-writer", daemon=True)
                self._thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """Write the pending snapshot (if any) and stop the background writer."""
        self._closed = True
        with self._thread_lock:
            if self._due is not None:
                self._due = time.monotonic()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not (self._closed and self._due is None):
            try:
                self._step()
            except Exception:  # e.g. the database went away for a moment: never let the writer die
                log.debug("mirror writer step failed", exc_info=True)
                time.sleep(1.0)

    def _step(self) -> None:
        """Wait for the next snapshot that is due and within the CPU budget, then write it."""
        self._wake.wait()
        self._wake.clear()
        with self._thread_lock:
            due = self._due
        if due is None:
            return
        if journal_outgrew_snapshot(self.storage):
            due = time.monotonic()
        start_at = due if self._closed else max(due, self._rest_until())
        remaining = start_at - time.monotonic()
        if remaining > 0 and self._wake.wait(remaining):
            self._wake.set()  # woken early (an urgent change, or close): think again
            return
        self._snapshot_now()

    def _snapshot_now(self) -> None:
        with self._thread_lock:
            self._due = None
        try:
            self.sync(scheduled=not self._closed)
        except Exception:  # keep the writer alive (sync_here logged and recorded it); retry with a back-off
            log.debug("mirror update failed", exc_info=True)
            if not self._closed:
                with self._thread_lock:
                    retry = time.monotonic() + min(RETRY_MAX_SECONDS, 2.0 ** min(self._failures, 6))
                    self._due = retry if self._due is None else min(self._due, retry)
                self._wake.set()
            return
        with self.db.read() as connection:
            registry = ArtifactRepository(connection)
            still_behind = int(registry.state("mirror_generation") or 0) < registry.generation()
        if still_behind and not self._closed:  # changes landed during the export: their turn comes next
            self.notify()
