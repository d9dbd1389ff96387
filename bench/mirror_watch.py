"""Mirror lag and mirror CPU under the workload, observed from outside the server (files and /proc).

Lag: a thread tails `registry-journal.jsonl` (when the mirror writes one) and polls the generation in the
first 256 bytes of `registry-index.json`, recording when each journal line and each index generation
was first seen. Afterwards every acknowledged write is matched: journal lag = first line for its id
(with its new title, for edits) minus the acknowledgement; index lag = first time the index header's
generation reached that line's generation (or, with no journal, the database generation read right
after the acknowledgement: what GET /v1/artifacts/stats reports as index.database_generation).
CPU: utime+stime of the mirror's child interpreters (`app.registry.mirror_job`), i.e. the cutime/cstime
the workers collect when they reap them, plus any still running; and the server's total.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
from pathlib import Path

from common import summarize

JOURNAL, INDEX = "registry-journal.jsonl", "registry-index.json"
HEADER_GENERATION = re.compile(rb'"generation":\s*(\d{1,19})\b')
TICK = os.sysconf("SC_CLK_TCK")


class LagWatcher(threading.Thread):
    """Polls the journal (every 20 ms) and the index header (every 50 ms) until stopped."""

    def __init__(self, data_dir: Path):
        super().__init__(daemon=True)
        self.journal, self.index = data_dir / JOURNAL, data_dir / INDEX
        self.lines: list[tuple[float, str, int, str | None]] = []  # (seen, id, generation, title)
        self.index_seen: list[tuple[float, int]] = []  # (seen, generation) at each change
        self.journal_found = False
        self.stop_event = threading.Event()
        self._offset, self._inode, self._partial = 0, None, b""

    def run(self) -> None:
        """Poll until stopped."""
        tick = 0
        while not self.stop_event.wait(0.02):
            self._tail()
            tick += 1
            if tick % 3 == 0:
                self._poll_index()

    def _tail(self) -> None:
        try:
            stat = self.journal.stat()
        except OSError:
            return
        self.journal_found = True
        if stat.st_ino != self._inode or stat.st_size < self._offset:  # compacted: read it anew
            self._inode, self._offset, self._partial = stat.st_ino, 0, b""
        if stat.st_size == self._offset:
            return
        with open(self.journal, "rb") as handle:
            handle.seek(self._offset)
            chunk = handle.read()
        self._offset += len(chunk)
        now = time.monotonic()
        *complete, self._partial = (self._partial + chunk).split(b"\n")
        for line in complete:
            try:
                entry = json.loads(line).get("entry")
            except ValueError:
                continue
            if entry and "id" in entry:
                title = (entry.get("artifact") or {}).get("title")
                self.lines.append((now, entry["id"], int(entry.get("generation", 0)), title))

    def _poll_index(self) -> None:
        try:
            with open(self.index, "rb") as handle:
                found = HEADER_GENERATION.search(handle.read(256))
        except OSError:
            return
        if found and (not self.index_seen or int(found.group(1)) != self.index_seen[-1][1]):
            self.index_seen.append((time.monotonic(), int(found.group(1))))

    def index_generation(self) -> int:
        """The latest generation seen in the index header (-1 before any)."""
        return self.index_seen[-1][1] if self.index_seen else -1

    def wait_for(self, generation: int, timeout: float) -> bool:
        """Wait until the index header reached `generation` (or the timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.index_generation() >= generation:
                return True
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        """Stop polling."""
        self.stop_event.set()
        self.join(5)


def _journal_match(lines, write: dict):
    """(seen, generation) of the first journal line carrying this write, or None."""
    for seen, artifact_id, generation, title in lines:
        if artifact_id == write["id"] and (write["kind"] == "run" or title == write["title"]):
            return seen, generation
    return None


def lags(watcher: LagWatcher, writes: list[dict]) -> dict:
    """Journal and index lag (ms) per acknowledged write; n/a for the journal when there is none."""
    journal_ms, index_ms, missing_journal, missing_index = [], [], 0, 0
    for write in (w for w in writes if w.get("ok")):
        target = write.get("generation")
        if watcher.journal_found:
            match = _journal_match(watcher.lines, write)
            if match is None:
                missing_journal += 1
                continue
            journal_ms.append(max(0.0, (match[0] - write["ack"]) * 1000))
            target = match[1]
        reached = next((seen for seen, generation in watcher.index_seen if generation >= (target or 0)), None)
        if reached is None:
            missing_index += 1
        else:
            index_ms.append(max(0.0, (reached - write["ack"]) * 1000))
    return {"journal": summarize(journal_ms) if watcher.journal_found else "n/a (no registry-journal.jsonl)",
            "journal_missing": missing_journal, "index": summarize(index_ms), "index_missing": missing_index,
            "index_updates_seen": len(watcher.index_seen)}


def database_generation(db_file: Path):
    """A reader of registry_state's generation straight from the SQLite file (no HTTP request, no cache miss)."""
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=10, check_same_thread=False)
    lock = threading.Lock()

    def read() -> int:
        with lock:
            row = conn.execute("SELECT value FROM registry_state WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    return read


def _stat(pid: int) -> tuple[float, float]:
    """(own utime+stime, reaped children's cutime+cstime) in seconds; zeros when gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    return (int(fields[11]) + int(fields[12])) / TICK, (int(fields[13]) + int(fields[14])) / TICK


def worker_memory(master: int) -> dict:
    """Memory of the server's workers, MB, the largest worker's: resident in all (VmRSS), its peak (VmHWM),
    and split into private memory (RssAnon: heaps, caches) and file pages (RssFile: mostly the database,
    which every SQLite connection maps, up to 2 GiB each: shared with the page cache, not the worker's own)."""
    fields = ("VmRSS", "VmHWM", "RssAnon", "RssFile")
    sizes = []
    for pid in _children(master):
        try:
            status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                          if ":" in line)
        except OSError:
            continue
        sizes.append({name: int(status[name].split()[0]) / 1024 for name in fields if name in status})
    if not sizes:
        return {"workers": 0}
    largest = {name: round(max(s.get(name, 0) for s in sizes), 1) for name in fields}
    return {"workers": len(sizes), "rss_mb_max": largest["VmRSS"], "peak_mb_max": largest["VmHWM"],
            "anon_mb_max": largest["RssAnon"], "file_mb_max": largest["RssFile"]}


def _children(pid: int) -> list[int]:
    """Children of every thread of pid (the mirror's thread, not the main one, starts its child)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _is_mirror_job(pid: int) -> bool:
    try:
        return b"mirror_job" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


class CpuMeter(threading.Thread):
    """CPU of the server (master + workers + their children) and of the mirror's child interpreters."""

    def __init__(self, master: int, db_file: Path | None = None):
        super().__init__(daemon=True)
        self.master, self.db_file = master, db_file
        self.counted_start = self._counted()
        self.stop_event = threading.Event()
        self.jobs: dict[int, float] = {}  # mirror_job pid -> last CPU seen (those still running at the end)
        self.start_snapshot = self._snapshot()

    def _counted(self) -> float | None:
        """`mirror_cpu_s`: the CPU every snapshot rewrite cost, as the registry counts it (patches run in-process)."""
        if self.db_file is None:
            return None
        with sqlite3.connect(f"file:{self.db_file}?mode=ro", uri=True, timeout=30) as conn:
            row = conn.execute("SELECT value FROM registry_state WHERE key = 'mirror_cpu_s'").fetchone()
        return float(row[0]) if row else 0.0

    def _snapshot(self) -> dict[int, tuple[float, float]]:
        return {pid: _stat(pid) for pid in [self.master, *_children(self.master)]}

    def run(self) -> None:
        """Sample the running mirror_job children until stopped."""
        while not self.stop_event.wait(0.25):
            for worker in _children(self.master):
                for child in _children(worker):
                    if _is_mirror_job(child):
                        self.jobs[child] = sum(_stat(child))

    def result(self, seconds: float) -> dict:
        """Stop; CPU seconds and % of one core over `seconds`."""
        self.stop_event.set()
        self.join(5)
        end = self._snapshot()
        own = sum(end[p][0] - self.start_snapshot.get(p, (0, 0))[0] for p in end)
        reaped = sum(end[p][1] - self.start_snapshot.get(p, (0, 0))[1] for p in end)
        running = sum(cpu for pid, cpu in self.jobs.items() if Path(f"/proc/{pid}").exists())
        mirror = reaped + running
        counted = self._counted()
        rewrites = None if counted is None or self.counted_start is None else counted - self.counted_start
        return {"seconds": round(seconds, 1), "server_cpu_s": round(own + mirror, 2),
                "server_cpu_pct_core": round(100 * (own + mirror) / seconds, 1), "mirror_child_cpu_s": round(mirror, 2),
                "mirror_cpu_pct_core": round(100 * mirror / seconds, 1), "mirror_jobs_seen": len(self.jobs),
                "mirror_rewrites_cpu_s": None if rewrites is None else round(rewrites, 2),
                "mirror_rewrites_cpu_pct_core": None if rewrites is None else round(100 * rewrites / seconds, 1)}
