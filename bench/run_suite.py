"""Registry benchmark suite: corpus, HTTP vs in-process floor, writes and scale, PostgreSQL; RESULTS.md + JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, Server, git_commit, running
from corpus import context, rate_probe, run_folders, sqlite_corpus
from floor import floor_put, floor_reads
from http_bench import mirror_catch_up, probe, put_latency, read_latencies, throughput
from report import markdown
from scale_bench import discovery_cost, discovery_inprocess, memory, mirror_regeneration, scans


def machine() -> dict:
    """nproc, CPU model, memory, OS, Python and the load average."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_gb": round(mem_kb / 1024**2, 1),
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "loadavg": " ".join(f"{v:.2f}" for v in os.getloadavg())}


def generations(ctx) -> tuple[int, int]:
    """(mirror_generation, generation) from registry_state: what stats reports as index.*."""
    with ctx.reading() as registry:
        return int(registry.state("mirror_generation") or 0), registry.generation()


def sqlite_part(args, res: dict) -> None:
    """Row corpus on SQLite: mirror export, HTTP latencies and throughput, the floor, PUTs, mirror catch-up."""
    data_dir, res["corpus_load"] = sqlite_corpus(args.cache_dir, args.count, args.reuse, args.seed)
    # The rate is measured in every run (a cached corpus says nothing about today's code and machine).
    res["load"] = rate_probe(args.cache_dir, data_dir, args.rate_rows)
    ctx = context(data_dir)
    try:
        res["mirror"] = mirror_regeneration(ctx)
        print(f"mirror regeneration: {res['mirror']}", flush=True)
        with running(Server(data_dir, FLOWTIME_AUTO_DISCOVER="0")) as srv:
            res["server_startup_s"] = srv.startup_s
            tag, ids = probe(srv.base)
            res["common_tag"] = tag
            res["http"] = read_latencies(srv.base, tag, ids, args.requests, args.warmup, args.budget)
            res["throughput"] = {
                "q6_get": throughput(srv.base, lambda rng: f"/v1/artifacts/{rng.choice(ids)}",
                                     server_pids=srv.workers()),
                "q1_list": throughput(srv.base, lambda rng: "/v1/artifacts", server_pids=srv.workers()),
            }
            print(f"throughput: {res['throughput']}", flush=True)
            res["floor"] = floor_reads(ctx, tag, ids, args.requests, args.warmup, args.budget)
            res["http"]["q9_put"] = put_latency(srv.base, ids, args.requests, args.warmup, args.budget)
            res["floor"]["q9_put"] = floor_put(ctx, ids, args.requests // 2, args.warmup, args.budget)
            print(f"  http q9_put: {res['http']['q9_put']}; floor {res['floor']['q9_put']}", flush=True)
            time.sleep(2)  # let the mirror settle after the PUTs before the burst
            res["mirror_catch_up"] = mirror_catch_up(srv.base, ids, lambda: generations(ctx))
            print(f"mirror catch-up: {res['mirror_catch_up']}", flush=True)
    finally:
        ctx.close()


def folder_part(args, res: dict) -> None:
    """Real run folders: initial and no-change scans, auto-discovery cost, worker memory."""
    folders, res["folders_seed_s"] = run_folders(args.cache_dir, args.folders, args.reuse)
    res["scan"] = scans(folders, lambda d: context(d))
    res["discovery"] = discovery_cost(folders, args.requests, args.warmup)
    res["discovery"]["inprocess"] = discovery_inprocess(folders, lambda d, **o: context(d, **o))
    print(f"auto-discovery: {res['discovery']['added_paired_median_ms']} ms per call", flush=True)
    if not args.skip_memory:
        csv_path = args.cache_dir / f"telemetry-{args.csv_mb}mb.csv"
        if not csv_path.exists():
            from bench_telemetry import generate_csv

            generate_csv(csv_path, args.csv_mb)
        res["memory"] = memory(folders, csv_path)


def pg_part(args) -> dict:
    """The PostgreSQL column (pg_bench)."""
    from pg_bench import pg_suite

    return pg_suite(args.cache_dir, args.count, args.seed, args.requests, args.warmup, args.budget)


def main() -> int:
    """Run every part, bounded; write bench/results/registry-<N>.json and bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000, help="artifacts in the row corpus")
    parser.add_argument("--folders", type=int, default=10_000, help="run folders for the scan benchmarks")
    parser.add_argument("--reuse", action="store_true", help="reuse cached corpus and folders in --cache-dir")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/flowtime-bench-cache"))
    parser.add_argument("--requests", type=int, default=200, help="timed requests per query")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--budget", type=float, default=30, help="seconds per query at most")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rate-rows", type=int, default=20_000, help="fresh rows loaded to measure the rate")
    parser.add_argument("--csv-mb", type=int, default=100)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--results-md", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()
    # SIGTERM/SIGINT unwind through the finally blocks, so every server started is stopped
    # (a background job started by a non-interactive shell ignores SIGINT otherwise).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    res: dict = {"count": args.count, "date": datetime.now(UTC).isoformat(timespec="seconds"),
                 "commit": git_commit(), "machine": machine(), "requests": args.requests, "warmup": args.warmup}
    out = ROOT / "bench" / "results" / f"registry-{args.count}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    parts = [("sqlite", lambda: sqlite_part(args, res)), ("folders", lambda: folder_part(args, res))]
    if not args.skip_pg:
        parts.append(("postgres", lambda: res.__setitem__("postgres", pg_part(args))))
    try:
        for name, part in parts:
            try:
                part()
            except Exception as exc:  # keep going: the other parts still report; the error is recorded
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
