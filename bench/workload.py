"""Realistic workload: distinct Zipf-drawn reads on reader threads while a writer lands edits and new runs.

Columns in one run, same reads in the same order at the same concurrency, same writes at the same rate:
ours (gunicorn from gunicorn.conf.py, as `make run`), Datasette on the same corpus (writes applied to its
SQLite file), the in-process floor (list_artifacts cold, no writes) and optionally PostgreSQL (--pg).
Writes bench/results/workload-<N>.json and bench/RESULTS-workload[-1m].md. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import signal
import sqlite3
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, Server, git_commit, running
from corpus import context, sqlite_corpus
from mirror_watch import CpuMeter, LagWatcher, database_generation, lags, worker_memory
from peer_datasette import DATASETTE_SETTINGS, SqliteWriter, cached_copy, serve, version
from run_suite import machine
from workload_clients import DatasetteApi, OurApi, run_floor, run_reads
from workload_queries import MIX, ReadStream, write_stream
from workload_report import markdown
from workload_stats import summaries, write_summary
from writer import HttpWrites, SqliteWrites, Writer


def work_copy(corpus_dir: Path, work: Path) -> Path:
    """A scratch data dir holding a copy of the corpus database (the workload's writes change it)."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name in ("registry.db", "registry.db-wal"):
        if (corpus_dir / name).exists():
            shutil.copyfile(corpus_dir / name, work / name)
    return work


def live_ids(db_file: Path) -> list[str]:
    """Ids of the live artifacts, in a stable order."""
    with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT id FROM artifacts WHERE deleted_at IS NULL AND NOT archived ORDER BY seq")
        return [row[0] for row in rows]


def ours(args, work: Path, reads, writes) -> dict:
    """Our column: gunicorn on the scratch copy, reader threads, the writer, mirror lag and CPU."""
    generation_of = database_generation(work / "registry.db")
    with running(Server(work, FLOWTIME_AUTO_DISCOVER="0")) as srv:
        watcher = LagWatcher(work)
        watcher.start()
        settled = watcher.wait_for(generation_of(), args.lag_wait)  # the start-up export, before measuring
        cpu, started = CpuMeter(srv.proc.pid, work / "registry.db"), time.monotonic()
        cpu.start()
        writer = Writer(HttpWrites(srv.base, generation_of, args.timeout), writes, args.write_rate)
        writer.start()
        out = summaries(run_reads(OurApi(srv.base), reads, args.threads, args.duration, args.timeout))
        out["worker_memory"] = worker_memory(srv.proc.pid)
        done = writer.stop()
        out["mirror_settled_before_start"] = settled
        out["caught_up"] = watcher.wait_for(generation_of(), args.lag_wait)
        out["mirror_cpu"] = cpu.result(time.monotonic() - started)
        watcher.stop()
        out["writes"], out["lag"] = write_summary(done, writer.elapsed), lags(watcher, done)
        out["server_startup_s"] = srv.startup_s
    return out


def datasette(args, corpus_dir: Path, reads, writes) -> dict:
    """Datasette's column on a fresh copy of the Datasette file, the same writes applied to the file."""
    db_file, built = cached_copy(corpus_dir / "registry.db", args.cache_dir / f"datasette-{args.count}.db",
                                 args.cache_dir / f"workload-{args.count}-datasette" / "bench.db")
    with serve(db_file) as (base, _pid):
        writer = Writer(SqliteWrites(SqliteWriter(db_file)), writes, args.write_rate)
        writer.start()
        out = summaries(run_reads(DatasetteApi(base), reads, args.threads, args.duration, args.timeout))
        out["writes"] = write_summary(writer.stop(), writer.elapsed)
    return {**out, "build": built, "version": version(), "settings": DATASETTE_SETTINGS}


def floor(args, work: Path, reads) -> dict:
    """The in-process floor on the scratch copy (after our column's writes), cold, one thread, no writes."""
    ctx = context(work)
    gc.freeze()  # as gunicorn's workers do once the app is built (app/gunicorn_settings.py)
    try:
        return summaries(run_floor(ctx, reads, args.floor_duration or args.duration))
    finally:
        ctx.close()


def parse_args() -> argparse.Namespace:
    """The command line (see bench/README.md)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000, help="artifacts in the corpus")
    parser.add_argument("--reuse", action="store_true", help="reuse the cached corpus in --cache-dir")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/flowtime-bench-cache"))
    parser.add_argument("--seed", type=int, default=11, help="corpus seed (as run_suite.py)")
    parser.add_argument("--duration", type=float, default=120, help="seconds of reads per column")
    parser.add_argument("--floor-duration", type=float, default=0, help="seconds for the floor (default --duration)")
    parser.add_argument("--threads", type=int, default=4, help="reader threads")
    parser.add_argument("--write-rate", type=float, default=2.0, help="writes per second (0: none)")
    parser.add_argument("--run-share", type=float, default=0.3, help="share of writes that are new runs")
    parser.add_argument("--reads", type=int, default=40_000, help="reads generated (the duration usually ends first)")
    parser.add_argument("--timeout", type=float, default=30, help="per-request timeout, seconds")
    parser.add_argument("--lag-wait", type=float, default=120, help="seconds to wait for the mirror to catch up")
    parser.add_argument("--skip-datasette", action="store_true")
    parser.add_argument("--skip-floor", action="store_true")
    parser.add_argument("--pg", action="store_true", help="add the PostgreSQL column")
    parser.add_argument("--note", default="", help="a line for the top of the markdown (e.g. 'smoke run')")
    parser.add_argument("--results-md", type=Path, default=None,
                        help="default bench/RESULTS-workload.md (bench/RESULTS-workload-1m.md from 1M on)")
    args = parser.parse_args()
    args.results_md = args.results_md or ROOT / "bench" / (
        "RESULTS-workload-1m.md" if args.count >= 1_000_000 else "RESULTS-workload.md")
    return args


def main() -> int:
    """Build or reuse the corpus, run every column (bounded), write the JSON and the markdown."""
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    res: dict = {"count": args.count, "date": datetime.now(UTC).isoformat(timespec="seconds"), "commit": git_commit(),
                 "machine": machine(), "options": {k: str(v) for k, v in vars(args).items()}, "mix": MIX}
    started = time.perf_counter()
    corpus_dir, res["corpus_load"] = sqlite_corpus(args.cache_dir, args.count, args.reuse, args.seed)
    work = work_copy(corpus_dir, args.cache_dir / f"workload-{args.count}")
    ids = live_ids(work / "registry.db")
    reads = ReadStream(ids).generate(args.reads)
    writes = write_stream(ids, int(args.write_rate * (args.duration + 30)) + 10, args.run_share)
    print(f"{len(reads)} distinct reads, {len(writes)} writes ready; {args.threads} readers, "
          f"{args.write_rate} writes/s, {args.duration} s per column", flush=True)
    columns = [("ours", lambda: ours(args, work, reads, writes))]
    if not args.skip_datasette:
        columns.append(("datasette", lambda: datasette(args, corpus_dir, reads, writes)))
    if not args.skip_floor:
        columns.append(("floor", lambda: floor(args, work, reads)))
    if args.pg:
        from workload_pg import pg_column

        columns.append(("postgres", lambda: pg_column(args, ids, reads, writes)))
    out = ROOT / "bench" / "results" / f"workload-{args.count}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        for name, column in columns:
            print(f"== column {name}", flush=True)
            try:
                load_before = os.getloadavg()[0]
                res[name] = column()
                res[name]["loadavg"] = f"{load_before:.2f} -> {os.getloadavg()[0]:.2f}"
                print(f"   {name}: all {res[name]['all']}", flush=True)
            except Exception as exc:  # keep going: the other columns still report; the error is recorded
                traceback.print_exc()
                res.setdefault("errors", {})[name] = repr(exc)
    finally:
        res["wall_s"] = round(time.perf_counter() - started, 1)
        res["machine"]["loadavg_end"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
        out.write_text(json.dumps(res, indent=2, default=str) + "\n")
        print(f"results written to {out}", flush=True)
    text = markdown(res)
    args.results_md.write_text(text)
    print("\n" + text)
    return 1 if res.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
