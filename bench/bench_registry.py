"""Benchmark the FlowTime registry over loopback: seeded data dir, real gunicorn, latency percentiles vs targets."""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FLASK = [str(BIN / "flask"), "--app", "wsgi"]
GENERATION = re.compile(rb'"generation":\s*(\d+)')
LIMITS = {"request_timeout": 10.0, "query_budget": 60.0}  # seconds; set from the command line
RARE_WORD = "zeppelin"  # not in the seed vocabulary: a search that matches nothing
# (result key, label, metric, limit in ms or s) - the targets at 100k artifacts.
TARGETS = [("q1_list", "Q1 list newest", "p95", 50), ("q2_type", "Q2 ?type=run", "p95", 50),
           ("q3_tag", "Q3 ?tags=<common>", "p95", 50), ("q4_search_common", "Q4 ?search=capacity", "p95", 50),
           ("q4_search_rare", f"Q4 ?search={RARE_WORD}", "p95", 50), ("q9_put", "Q9 PUT title", "p95", 30),
           ("autodiscover_added_ms", "auto-discovery added per list call (p50 diff)", "value", 2),
           ("mirror_catchup_s", "mirror caught up after last PUT (s)", "value", 2)]


def summarize(samples: list[float]) -> dict:
    """p50/p95/p99/mean/max of millisecond samples."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else samples * 99
    return {"n": len(samples), "p50": round(cuts[49], 2), "p95": round(cuts[94], 2), "p99": round(cuts[98], 2),
            "mean": round(statistics.fmean(samples), 2), "max": round(max(samples), 2)}


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(data_dir: Path, **extra: str) -> dict:
    """Environment for flask/gunicorn subprocesses pointed at data_dir."""
    return {**os.environ, "FLOWTIME_DATA_DIR": str(data_dir), "FLOWTIME_LOG_LEVEL": "WARNING", **extra}


def registry_total(data_dir: Path) -> int:
    """Live artifacts in the registry at data_dir (0 when there is no database yet)."""
    if not (data_dir / "registry.db").exists():
        return 0
    out = subprocess.run([*FLASK, "registry", "stats"], cwd=ROOT, env=app_env(data_dir), check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out[out.index("{"):])["total"]


def seed(data_dir: Path, count: int, reuse: bool) -> float | None:
    """Migrate and seed `count` artifacts; returns seconds taken, or None when reused."""
    data_dir.mkdir(parents=True, exist_ok=True)
    have = registry_total(data_dir) if reuse else 0
    if reuse and have >= count:
        print(f"reusing {data_dir}: {have} artifacts", flush=True)
        return None
    start = time.perf_counter()
    subprocess.run([*FLASK, "db", "upgrade"], cwd=ROOT, env=app_env(data_dir), check=True)
    subprocess.run([*FLASK, "registry", "seed", "--count", str(count - have)], cwd=ROOT, env=app_env(data_dir),
                   check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    print(f"seeded {count - have} artifacts in {seconds:.1f} s", flush=True)
    return seconds


class Server:
    """gunicorn on a free loopback port in its own process group; restartable after a stuck request."""

    def __init__(self, data_dir: Path, startup_timeout: float, **extra: str):
        self.data_dir, self.startup_timeout, self.extra = data_dir, startup_timeout, extra
        self.proc: subprocess.Popen | None = None
        self.base = ""

    def start(self) -> str:
        """Start gunicorn and wait for GET /healthz; returns the base URL."""
        port = free_port()
        self.log = open(Path(tempfile.gettempdir()) / f"flowtime-bench-gunicorn-{port}.log", "wb")
        env = app_env(self.data_dir, HOST="127.0.0.1", PORT=str(port), **self.extra)
        self.proc = subprocess.Popen([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile",
                                      "/dev/null"], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.base = f"http://127.0.0.1:{port}"
        deadline, start = time.monotonic() + self.startup_timeout, time.perf_counter()
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn not healthy after {self.startup_timeout} s; see {self.log.name}")
            time.sleep(0.1)
        print(f"gunicorn {self.base} {self.extra or ''} healthy after {time.perf_counter() - start:.1f} s",
              flush=True)
        return self.base

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it if it lingers."""
        if self.proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, sig)
                self.proc.wait(timeout=wait)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        self.proc = None
        self.log.close()

    def restart(self) -> str:
        """Stop and start again (a timed-out request keeps a worker thread busy)."""
        self.stop()
        return self.start()


@contextmanager
def running(server: Server):
    """Start a server and always stop it."""
    try:
        server.start()
        yield server
    finally:
        server.stop()


def timed(session: requests.Session, method: str, url: str, timeout: float = 120, **kwargs) -> tuple[float, dict]:
    """One request; returns (milliseconds, JSON body); raises on an error status or a timeout."""
    start = time.perf_counter()
    response = session.request(method, url, timeout=timeout, **kwargs)
    elapsed = (time.perf_counter() - start) * 1000
    response.raise_for_status()
    return elapsed, response.json()


def measure(session, server: Server, path, count: int, warmup: int, method: str = "GET", body=None) -> dict:
    """Warm-up then `count` timed requests within the query budget; a timeout restarts the server."""
    samples, start = [], time.perf_counter()
    for _ in range(warmup + count):
        url = server.base + (path() if callable(path) else path)
        try:
            payload = body() if callable(body) else body
            samples.append(timed(session, method, url, LIMITS["request_timeout"], json=payload)[0])
        except requests.Timeout:
            server.restart()  # the worker thread keeps running the query; start clean
            return {"n": 0, "timed_out": f"> {LIMITS['request_timeout']} s per request", "p50": None,
                    "p95": None, "p99": None, "mean": None, "max": None}
        if time.perf_counter() - start > LIMITS["query_budget"]:
            break  # slow query: fewer samples, reported with their n
    timed_samples = samples[warmup:] or samples[1:] or samples
    return {**summarize(timed_samples), **({"budget_hit": True} if len(timed_samples) < count else {})}


def keyset_walk(session, base: str, pages: int) -> dict:
    """Follow next_cursor `pages` times from the first page; per-page latency."""
    _, body = timed(session, "GET", base + "/v1/artifacts")
    per_page = []
    for _ in range(pages):
        if not body.get("next_cursor"):
            break
        ms, body = timed(session, "GET", base + "/v1/artifacts", params={"cursor": body["next_cursor"]})
        per_page.append(round(ms, 2))
    return {**summarize(per_page), "per_page_ms": per_page}


def read_queries(session, server: Server, n: int, warmup: int, ids: list[str], tag: str) -> dict:
    """Q1-Q8: listing, filters, search, paging, single read, stats and facets."""
    rng = random.Random(1)
    q = {
        "q1_list": "/v1/artifacts", "q2_type": "/v1/artifacts?type=run", "q3_tag": f"/v1/artifacts?tags={tag}",
        "q4_search_common": "/v1/artifacts?search=capacity", "q4_search_rare": f"/v1/artifacts?search={RARE_WORD}",
        "q5_offset_50000": "/v1/artifacts?offset=50000", "q6_get": lambda: f"/v1/artifacts/{rng.choice(ids)}",
        "q7_stats": "/v1/artifacts/stats", "q8_facets": "/v1/artifacts?facets=type,tags,source&search=capacity",
    }
    results = {}
    for name, path in q.items():
        results[name] = measure(session, server, path, n, warmup)
        print(f"  {name}: {results[name]}", flush=True)
    results["q5_keyset_20_pages"] = keyset_walk(session, server.base, 20)
    print(f"  q5_keyset_20_pages: {results['q5_keyset_20_pages']}", flush=True)
    return results


def discovery_cost(data_dir: Path, base: str, n: int, warmup: int, timeout: float) -> dict:
    """Interleave Q1 against the default server and one with FLOWTIME_AUTO_DISCOVER=0."""
    with running(Server(data_dir, timeout, FLOWTIME_AUTO_DISCOVER="0")) as off_server, \
            requests.Session() as on, requests.Session() as off:
        samples: dict[str, list[float]] = {"on": [], "off": []}
        for i in range(warmup + n):
            for key, session, url in (("on", on, base), ("off", off, off_server.base)):
                ms, _ = timed(session, "GET", url + "/v1/artifacts")
                if i >= warmup:
                    samples[key].append(ms)
    on_s, off_s = summarize(samples["on"]), summarize(samples["off"])
    return {"q1_discover_on": on_s, "q1_discover_off": off_s,
            "autodiscover_added_ms": round(on_s["p50"] - off_s["p50"], 2),
            "autodiscover_added_mean_ms": round(on_s["mean"] - off_s["mean"], 2)}


def new_folder_visibility(session, base: str, data_dir: Path, template_id: str) -> dict:
    """Copy a run folder in atomically (dot temp + rename); time until ?search=<id> finds it."""
    now = datetime.now(UTC)
    new_id = f"run_{now:%Y%m%dT%H%M%SZ}_{random.getrandbits(32):08x}"
    temp = data_dir / f".bench-{new_id}"
    shutil.copytree(data_dir / template_id, temp)
    run_json = temp / "run.json"
    run = json.loads(run_json.read_text())
    run_json.write_text(json.dumps({**run, "runId": new_id}, indent=2))
    calls, start = [], time.perf_counter()
    os.rename(temp, data_dir / new_id)
    while time.perf_counter() - start < 30:
        ms, body = timed(session, "GET", base + "/v1/artifacts", params={"search": new_id})
        calls.append(round(ms, 2))
        if any(a["id"] == new_id for a in body["artifacts"]):
            break
    else:
        return {"id": new_id, "found": False, "calls_ms": calls}
    second_worker = [round(timed(session, "GET", base + "/v1/artifacts")[0], 2) for _ in range(4)]
    return {"id": new_id, "found": True, "calls_until_visible": len(calls), "calls_ms": calls,
            "seconds_until_visible": round(time.perf_counter() - start, 3), "next_q1_calls_ms": second_worker}


def file_generation(data_dir: Path) -> int:
    """The generation in registry-index.json's header (reads only the first 4 KiB)."""
    try:
        with open(data_dir / "registry-index.json", "rb") as handle:
            match = GENERATION.search(handle.read(4096))
    except FileNotFoundError:
        return -1
    return int(match.group(1)) if match else -1


def put_burst_and_mirror(session, server: Server, data_dir: Path, ids: list[str], n: int, warmup: int) -> dict:
    """Q9: `n` PUTs changing titles, then seconds from the last PUT until the mirror reaches the db generation."""
    rng = random.Random(2)
    counter = iter(range(10**9))
    put = measure(session, server, lambda: f"/v1/artifacts/{rng.choice(ids)}", n, warmup, "PUT",
                  lambda: {"title": f"bench edit {next(counter)}"})
    last_put, base = time.perf_counter(), server.base
    _, stats = timed(session, "GET", base + "/v1/artifacts/stats")
    target = stats["index"]["database_generation"]
    while file_generation(data_dir) < target and time.perf_counter() - last_put < 120:
        time.sleep(0.02)
    caught = time.perf_counter() - last_put
    # The mirror's rename touched the data dir, so each worker's next call re-lists it (first value).
    after = [round(timed(session, "GET", base + "/v1/artifacts")[0], 2) for _ in range(4)]
    _, stats = timed(session, "GET", base + "/v1/artifacts/stats")
    return {"q9_put": put, "mirror_catchup_s": round(caught, 3), "mirror_target_generation": target,
            "mirror_file_generation": file_generation(data_dir), "stats_index_after": stats["index"],
            "mirror_bytes": (data_dir / "registry-index.json").stat().st_size, "q1_after_mirror_write_ms": after}


def verdict(value: float | None, limit: float) -> str:
    """PASS/FAIL against a target (a timeout fails)."""
    return "PASS" if value is not None and value < limit else "FAIL"


def report(results: dict) -> str:
    """Markdown table of every measurement, with targets where the issue sets one."""
    limits = {key: limit for key, _, metric, limit in TARGETS if metric == "p95"}
    lines = ["| measurement | n | p50 ms | p95 ms | p99 ms | mean ms | target | result |",
             "|---|---|---|---|---|---|---|---|"]
    for key, value in results["queries"].items():
        if isinstance(value, dict) and "p95" in value:
            limit = limits.get(key)
            cells = [value.get(k) if value.get(k) is not None else "timeout" for k in ("p50", "p95", "p99", "mean")]
            target, outcome = (f"p95 < {limit} ms", verdict(value["p95"], limit)) if limit else ("", "")
            lines.append(f"| {key} | {value['n']} | {' | '.join(map(str, cells))} | {target} | {outcome} |")
    for key, label, metric, limit in TARGETS:
        if metric == "value":
            value = results["queries"][key]
            unit = "s" if key.endswith("_s") else "ms"
            lines.append(f"| {label} | | {value} {unit} | | | | < {limit} {unit} | {verdict(value, limit)} |")
    return "\n".join(lines)


def main() -> int:
    """Seed (or reuse), start gunicorn, measure, print a markdown table and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000, help="artifacts to seed")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per query")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temp dir")
    parser.add_argument("--reuse", action="store_true", help="skip seeding when it already holds >= count")
    parser.add_argument("--startup-timeout", type=float, default=600)
    parser.add_argument("--timeout", type=float, default=10, help="per request, s (timeout: server restarted)")
    parser.add_argument("--budget", type=float, default=60, help="per query, s (slow queries: fewer samples)")
    parser.add_argument("--out", type=Path, default=None, help="default: bench/results/registry-<count>.json")
    args = parser.parse_args()
    data_dir = (args.data_dir or Path(tempfile.mkdtemp(prefix="flowtime-bench-"))).resolve()
    started = datetime.now(UTC)
    seed_seconds = seed(data_dir, args.count, args.reuse)
    n, warmup = args.requests, args.warmup
    LIMITS.update(request_timeout=args.timeout, query_budget=args.budget)
    with running(Server(data_dir, args.startup_timeout)) as srv, requests.Session() as session:
        base = srv.base
        _, stats = timed(session, "GET", base + "/v1/artifacts/stats")
        tag = stats["top_tags"][0]["tag"]
        _, page = timed(session, "GET", base + "/v1/artifacts", params={"limit": 1000})
        ids = [a["id"] for a in page["artifacts"]]
        queries = read_queries(session, srv, n, warmup, ids, tag)
        base = srv.base  # changed if a timed-out query restarted the server
        queries.update(discovery_cost(data_dir, base, n, warmup, args.startup_timeout))
        queries["new_folder"] = new_folder_visibility(session, base, data_dir, ids[-1])
        queries.update(put_burst_and_mirror(session, srv, data_dir, ids, n, warmup))
    results = {"date": started.isoformat(timespec="seconds"), "machine": f"{platform.machine()}, "
               f"{os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}",
               "count": stats["total"], "requests": n, "warmup": warmup, "data_dir": str(data_dir),
               "seed_seconds": None if seed_seconds is None else round(seed_seconds, 1), "common_tag": tag,
               "queries": queries}
    table = report(results)
    print(f"\n## Registry benchmark, {results['count']} artifacts ({results['date']}, {results['machine']})\n")
    print(table)
    out = args.out or ROOT / "bench" / "results" / f"registry-{args.count}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({**results, "table": table}, indent=2) + "\n")
    print(f"\nresults written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
