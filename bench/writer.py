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
    """Writes through our API on one keep-alive session."""

    def __init__(self, base: str, generation_of=None, timeout: float = 30):
        self.base, self.timeout, self.generation_of = base, timeout, generation_of
        self.session = requests.Session()

    def apply(self, write) -> tuple[str, int | None]:
        """(artifact id written, database generation right after the acknowledgement)."""
        if write.kind == "edit":
            response = self.session.put(f"{self.base}/v1/artifacts/{write.artifact_id}", timeout=self.timeout,
                                        json={"title": write.title, "tags": write.tags})
            response.raise_for_status()
            artifact_id = write.artifact_id
        else:
            response = self.session.post(f"{self.base}/v1/run", params={"seed": write.seed}, data=MODEL,
                                         headers={"Content-Type": "application/x-yaml"}, timeout=self.timeout)
            response.raise_for_status()
            artifact_id = response.json()["artifactId"]
        return artifact_id, self.generation_of() if self.generation_of else None

    def close(self) -> None:
        self.session.close()


class SqliteWrites:
    """Adapter: the Datasette file's writer with the same apply() shape."""

    def __init__(self, sqlite_writer):
        self.writer = sqlite_writer

    def apply(self, write) -> tuple[str, None]:
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        return self.writer.apply(write, now), None

    def close(self) -> None:
        self.writer.close()


class Writer(threading.Thread):
    """Applies writes at `rate` per second (no catch-up bursts when late) until stopped or out of writes."""

    def __init__(self, sink, writes: list, rate: float):
        super().__init__(daemon=True)
        self.sink, self.writes, self.rate = sink, writes, rate
        self.stop_event = threading.Event()
        self.done: list[dict] = []

    def run(self) -> None:
        start = time.monotonic()
        for n, write in enumerate(self.writes):
            due = start + n / self.rate if self.rate > 0 else None
            if due is None or self.stop_event.wait(max(0.0, due - time.monotonic())):
                return
            began = time.perf_counter()
            entry = {"index": write.index, "kind": write.kind, "title": write.title}
            try:
                entry["id"], entry["generation"] = self.sink.apply(write)
                entry["ok"] = True
            except (requests.RequestException, OSError, KeyError, ValueError) as exc:
                entry.update(ok=False, error=repr(exc)[:200])
            entry["ack"] = time.monotonic()
            entry["ms"] = (time.perf_counter() - began) * 1000
            self.done.append(entry)

    def stop(self) -> list[dict]:
        """Stop (after the write in flight) and return what was written."""
        self.stop_event.set()
        self.join(60)
        self.sink.close()
        return self.done
