"""The workload benchmark's own logic: distinct reads, and mirror lag read from a journal + index."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

from mirror_watch import LagWatcher, lags
from workload_clients import DatasetteApi, OurApi
from workload_queries import ReadStream, write_stream
from writer import Writer

IDS = [f"run_{i:05d}" for i in range(3000)]


def test_reads_never_repeat_a_query_string_or_a_filter_set():
    reads = ReadStream(IDS).generate(4000)
    api = OurApi("http://x")
    strings = [str(api.list_request(r)) if r.cls not in ("get_by_id", "cursor_page")
               else (r.artifact_id or ("page", r.parent)) for r in reads]
    assert len(strings) == len(set(strings))
    filters = [(r.search, r.type, tuple(r.tags), r.source, r.series) for r in reads
               if r.cls not in ("get_by_id", "cursor_page", "first_page")]
    assert len(filters) == len(set(filters))
    assert all(reads[r.parent].index < r.index - 8 for r in reads if r.cls == "cursor_page")


def test_every_class_translates_for_datasette():
    reads = ReadStream(IDS).generate(500)
    api = DatasetteApi("http://y")
    for read in reads:
        if read.cls != "get_by_id":
            url, params = api.list_request(read, "tok")
            assert url.endswith("/bench/artifacts.json") and ("_next", "tok") in params
    assert {r.cls for r in reads} >= {"search_1word", "tag_common", "series_type", "cursor_page", "get_by_id"}
    series = next(r for r in reads if r.cls == "series_type")
    where = dict(api.list_request(series)[1])["_where"]
    node_stat = series.series.split("<")[0].split(">")[0]
    assert where.startswith(f"json_extract(series_summary, '$.{node_stat}') ")


def _line(generation: int, artifact_id: str, title: str) -> str:
    entry = {"generation": generation, "at": "2026-01-01T00:00:00Z", "id": artifact_id,
             "artifact": {"id": artifact_id, "title": title}}
    return json.dumps({"crc": "00000000", "entry": entry}) + "\n"


def _index(path: Path, generation: int) -> None:
    path.write_text(json.dumps({"version": "1.0.0", "updated": "x", "generation": generation,
                                "artifact_count": 0, "artifacts": []}))


@pytest.mark.parametrize("torn_tail", [False, True])
def test_lag_is_measured_from_the_journal_line_to_the_index_generation(tmp_path, torn_tail):
    journal, index = tmp_path / "registry-journal.jsonl", tmp_path / "registry-index.json"
    _index(index, 5)
    journal.write_text(json.dumps({"journal": 1, "registry": "r", "base_generation": 5}) + "\n")
    watcher = LagWatcher(tmp_path)
    watcher.start()
    try:
        ack = time.monotonic()
        with open(journal, "a") as handle:
            handle.write(_line(6, "a", "old title") + _line(7, "a", "new title") + ('{"crc": "1' if torn_tail else ""))
        time.sleep(0.3)
        _index(index, 7)
        time.sleep(0.3)
    finally:
        watcher.stop()
    edit = {"ok": True, "id": "a", "kind": "edit", "title": "new title", "ack": ack, "generation": None}
    lost = {"ok": True, "id": "b", "kind": "edit", "title": "never written", "ack": ack, "generation": None}
    result = lags(watcher, [edit, lost])
    assert result["journal"]["n"] == 1 and result["journal"]["max"] < 250
    assert result["index"]["n"] == 1 and 250 <= result["index"]["max"] < 1000
    assert result["journal_missing"] == 1


def test_without_a_journal_the_index_is_matched_to_the_database_generation(tmp_path):
    _index(tmp_path / "registry-index.json", 3)
    watcher = LagWatcher(tmp_path)
    watcher.start()
    time.sleep(0.2)
    watcher.stop()
    acked = {"ok": True, "id": "a", "kind": "edit", "title": "t", "ack": time.monotonic(), "generation": 4}
    result = lags(watcher, [acked])
    assert result["journal"].startswith("n/a") and result["index_missing"] == 1


def test_write_stream_mixes_runs_and_edits():
    writes = write_stream(IDS, 200, 0.3)
    kinds = [w.kind for w in writes]
    assert 30 < kinds.count("run") < 90 and all(w.artifact_id in IDS for w in writes if w.kind == "edit")


class _SlowSink:
    """A sink whose writes take 0.2 s each (as a slow server's would)."""

    def __init__(self):
        self.applied = []

    def apply(self, write):
        time.sleep(0.2)
        self.applied.append(write.index)
        return f"id{write.index}", None

    def close(self):
        pass


def test_the_writer_keeps_its_rate_when_writes_are_slower_than_the_interval():
    sink = _SlowSink()
    writer = Writer(sink, write_stream(IDS, 100, 0.0), rate=10, threads=4)
    writer.start()
    time.sleep(1.05)
    done = writer.stop()
    assert 9 <= len(done) <= 12 and all(w["ok"] and w["ms"] >= 200 for w in done)
    # Writes taken one at a time would start ever later (the tenth 900 ms late); scheduling jitter on a
    # loaded 2-core machine reached 205 ms during the full suite.
    assert max(w["late_ms"] for w in done) < 450
