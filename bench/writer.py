"""The workload's background writer: a fixed rate of writes, each one's latency and acknowledgement time.

Ours: PUT /v1/artifacts/<id> (title + tags) and POST /v1/run?seed=<n> with a small model (as FlowTime's
engine clients register runs). Datasette's column applies the same writes to its SQLite file.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import requests
from common import ROOT

MODEL = (ROOT / "tests" / "fixtures" / "examples" / "hello.yaml").read_text()


class HttpWrites:
    """Writes through our API, a keep-alive session per writer thread."""

    def __init__(self, base: str, generation_of=None, timeout: float = 30):
        self.base, self.timeout, self.generation_of = base, timeout, generation_of
        self.local, self.sessions = threading.local(), []

    def _session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
            self.sessions.append(self.local.session)
        return self.local.session

    def apply(self, write) -> tuple[str, int | None]:
        """(artifact id written, database generation right after the acknowledgement)."""
        session = self._session()
        if write.kind == "edit":
            response = session.put(f"{self.base}/v1/artifacts/{write.artifact_id}", timeout=self.timeout,
                                   json={"title": write.title, "tags": write.tags})
            response.raise_for_status()
            artifact_id = write.artifact_id
        else:
            response = session.post(f"{self.base}/v1/run", params={"seed": write.seed}, data=MODEL,
                                    headers={"Content-Type": "application/x-yaml"}, timeout=self.timeout)
            response.raise_for_status()
            artifact_id = response.json()["artifactId"]
        return artifact_id, self.generation_of() if self.generation_of else None

    def close(self) -> None:
        """Close the sessions."""
        for session in self.sessions:
            session.close()


class SqliteWrites:
    """Adapter: the Datasette file's writer with the same apply() shape."""

    def __init__(self, sqlite_writer):
        self.writer = sqlite_writer

    def apply(self, write) -> tuple[str, None]:
        """Apply one write to the Datasette file; (id written, no generation)."""
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        return self.writer.apply(write, now), None

    def close(self) -> None:
        """Close the file."""
        self.writer.close()


class Writer:
    """Starts write n at start + n/rate (open loop: a slow write does not delay the next one) on up to
    `threads` writer threads, until stopped or out of writes; records each one's latency and lateness."""

    def __init__(self, sink, writes: list, rate: float, threads: int = 4):
        self.sink, self.writes, self.rate = sink, writes, rate
        self.stop_event, self.lock, self.next = threading.Event(), threading.Lock(), 0
        self.done: list[dict] = []
        self.started = self.elapsed = 0.0
        self.pool = [threading.Thread(target=self._run, daemon=True) for _ in range(threads if rate > 0 else 0)]

    def start(self) -> None:
        """Start the writer threads (the schedule starts now)."""
        self.started = time.monotonic()
        for thread in self.pool:
            thread.start()

    def _take(self):
        with self.lock:
            if self.next >= len(self.writes):
                return None, 0.0
            self.next += 1
            return self.writes[self.next - 1], self.started + (self.next - 1) / self.rate

    def _run(self) -> None:
        while True:
            write, due = self._take()
            if write is None or self.stop_event.wait(max(0.0, due - time.monotonic())):
                return
            began, late = time.perf_counter(), max(0.0, time.monotonic() - due) * 1000
            entry = {"index": write.index, "kind": write.kind, "title": write.title, "late_ms": late}
            try:
                entry["id"], entry["generation"] = self.sink.apply(write)
                entry["ok"] = True
            except (requests.RequestException, OSError, KeyError, ValueError) as exc:
                entry.update(ok=False, error=repr(exc)[:200])
            entry["ack"] = time.monotonic()
            entry["ms"] = (time.perf_counter() - began) * 1000
            with self.lock:
                self.done.append(entry)

    def stop(self) -> list[dict]:
        """Stop (after the writes in flight) and return what was written."""
        self.stop_event.set()
        self.elapsed = time.monotonic() - self.started
        for thread in self.pool:
            thread.join(60)
        self.sink.close()
        return self.done
