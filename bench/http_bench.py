"""HTTP client side: Q1-Q9 latency percentiles over loopback and 8-client throughput of Q6 and Q1."""

from __future__ import annotations

import os
import random
import threading
import time

import requests
from common import repeat, summarize, timed
from floor import CURSOR_DEPTH, cursor_at_depth, list_queries


def probe(base: str) -> tuple[str, list[str]]:
    """(most common tag, 1,000 ids spread over the registry) read from the server."""
    with requests.Session() as session:
        _, stats = timed(session, "GET", base + "/v1/artifacts/stats", timeout=120)
        ids: list[str] = []
        for offset in (0, 20_000, 40_000, 60_000, 80_000):
            _, page = timed(session, "GET", base + "/v1/artifacts", params={"limit": 200, "offset": offset},
                            timeout=120)
            ids += [a["id"] for a in page["artifacts"]]
    return stats["top_tags"][0]["tag"], ids


def _get_ms(session: requests.Session, url: str, params: dict | None = None, timeout: float = 30) -> float:
    return timed(session, "GET", url, timeout, params=params)[0]


def cursor_pages(session: requests.Session, base: str, pages: int) -> dict:
    """Walk next_cursor at limit=1000 to 50,000 rows deep, then time `pages` limit-50 pages from there."""
    url = base + "/v1/artifacts"

    def run_page(cursor, limit):
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        return timed(session, "GET", url, 60, params=params)[1]["next_cursor"]

    cursor = cursor_at_depth(run_page)
    samples = []
    for _ in range(pages):
        ms, body = timed(session, "GET", url, 30, params={"cursor": cursor, "limit": 50})
        samples.append(ms)
        cursor = body["next_cursor"]
    return {**summarize(samples), "depth_rows": CURSOR_DEPTH}


def read_latencies(base: str, tag: str, ids: list[str], count: int, warmup: int, budget_s: float,
                   only: set[str] | None = None) -> dict:
    """Q1-Q8 (or the `only` subset): warm-up then `count` timed requests each on one keep-alive session."""
    results: dict[str, dict] = {}
    rng = random.Random(5)
    with requests.Session() as session:
        for name, (params, _) in list_queries(tag).items():
            if only and name not in only:
                continue
            results[name] = repeat(lambda p=params: _get_ms(session, base + "/v1/artifacts", p), count, warmup,
                                   budget_s)
            print(f"  http {name}: {results[name]}", flush=True)
        if not only or "q5_cursor_page_50000" in only:
            results["q5_cursor_page_50000"] = cursor_pages(session, base, 50)
        results["q6_get"] = repeat(lambda: _get_ms(session, f"{base}/v1/artifacts/{rng.choice(ids)}"), count,
                                   warmup, budget_s)
        if not only or "q7_stats" in only:
            results["q7_stats"] = repeat(lambda: _get_ms(session, base + "/v1/artifacts/stats"), max(20, count // 4),
                                         3, budget_s)
        for name in ("q5_cursor_page_50000", "q6_get", "q7_stats"):
            if name in results:
                print(f"  http {name}: {results[name]}", flush=True)
    return results


def put_latency(base: str, ids: list[str], count: int, warmup: int, budget_s: float) -> dict:
    """Q9: PUT title edits of random artifacts on one session."""
    rng, counter = random.Random(9), iter(range(10**9))
    with requests.Session() as session:
        def put() -> float:
            return timed(session, "PUT", f"{base}/v1/artifacts/{rng.choice(ids)}",
                         json={"title": f"bench edit {next(counter)}"})[0]

        return repeat(put, count, warmup, budget_s)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process from /proc/<pid>/stat (0 when it is gone)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def throughput(base: str, path_of, clients: int = 8, seconds: float = 10.0, server_pids=()) -> dict:
    """Requests/s of `clients` threads, each with its own session, for `seconds`; CPU of client and server."""
    server_cpu = sum(cpu_seconds(p) for p in server_pids)
    client_cpu = time.process_time()
    stop = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients

    def worker(slot: int) -> None:
        rng = random.Random(slot)
        with requests.Session() as session:
            while time.perf_counter() < stop:
                try:
                    latencies[slot].append(_get_ms(session, base + path_of(rng)))
                except requests.RequestException:
                    errors[slot] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    done = [ms for slot in latencies for ms in slot]
    client_cpu = time.process_time() - client_cpu
    server_cpu = sum(cpu_seconds(p) for p in server_pids) - server_cpu
    per_request = max(len(done), 1)
    return {"clients": clients, "seconds": round(elapsed, 2), "requests": len(done), "errors": sum(errors),
            "req_per_s": round(len(done) / elapsed, 1), "latency": summarize(done),
            "client_cpu_ms_per_request": round(client_cpu * 1000 / per_request, 2),
            "server_cpu_ms_per_request": round(server_cpu * 1000 / per_request, 2) if server_pids else None}


def put_burst(base: str, ids: list[str], count: int = 1000, clients: int = 4) -> float:
    """`count` PUTs from `clients` threads as fast as they go; returns perf_counter() at the last response."""
    per = count // clients

    def worker(slot: int) -> None:
        rng = random.Random(100 + slot)
        with requests.Session() as session:
            for i in range(per):
                timed(session, "PUT", f"{base}/v1/artifacts/{rng.choice(ids)}",
                      json={"title": f"burst {slot}-{i}"})

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter()


def mirror_catch_up(base: str, ids: list[str], generations=None, count: int = 1000, limit_s: float = 120) -> dict:
    """Burst of PUTs, then poll until the mirror's generation reaches the database's.

    `generations()` returns (mirror generation, database generation) - the two values GET
    /v1/artifacts/stats reports as index.generation and index.database_generation - read straight from
    registry_state, so polling adds no requests (the first stats call after a write recounts).
    Without it, GET /v1/artifacts/stats is polled. One stats call confirms at the end.
    """
    started = time.perf_counter()
    last = put_burst(base, ids, count)
    burst_s = last - started
    polls = 0
    with requests.Session() as session:
        def via_stats() -> tuple[int, int]:
            index = timed(session, "GET", base + "/v1/artifacts/stats", 60)[1]["index"]
            return index["generation"], index["database_generation"]

        poll = generations or via_stats
        while True:
            mirror, database = poll()
            polls += 1
            if mirror >= database or time.perf_counter() - last > limit_s:
                break
            time.sleep(0.02)
        caught = time.perf_counter() - last
        confirmed = via_stats()
    return {"puts": count, "burst_s": round(burst_s, 2), "puts_per_s": round(count / burst_s, 1),
            "caught_up_s": round(caught, 3), "polls": polls, "caught_up": mirror >= database,
            "polled": "registry_state" if generations else "stats", "stats_after": list(confirmed)}
