"""Targets of the issue and the markdown report (bench/RESULTS.md) built from the results dict."""

from __future__ import annotations

from corpus import COMMON_WORD, RARE_WORD

# key -> (label, target at 100k, target at 1M); latency targets are p95 in ms.
LATENCY_TARGETS = {
    "q1_list": ("Q1 first page, newest first, with total", 10, 25),
    "q2_type": ("Q2 `?type=run`", 10, 25),
    "q3_tag": ("Q3 `?tags=<most common tag>`", 10, 40),
    "q4_search_common": (f"Q4 `?search={COMMON_WORD}` (common; ranked, total, snippets)", 40, 300),
    "q4_search_rare": (f"Q4 `?search={RARE_WORD}` (rare: 1 in 10,000)", 10, 30),
    "q5_cursor_page_50000": ("Q5 limit-50 page via next_cursor, 50,000 rows deep", 10, 25),
    "q5_offset_50000": ("Q5 `?offset=50000`", 60, 100),
    "q6_get": ("Q6 `GET /v1/artifacts/<id>`", 8, 10),
    "q7_stats": ("Q7 `GET /v1/artifacts/stats`", 40, 300),
    "q8_facets_search": (f"Q8 facets type,tags,source + `search={COMMON_WORD}`", 40, 300),
    "q9_put": ("Q9 `PUT /v1/artifacts/<id>` (title)", 25, 40),
}
FLOOR_GAP_MS = 4
GAP_KEYS = ("q1_list", "q2_type", "q3_tag", "q4_search_common", "q4_search_rare", "q5_cursor_page_50000",
            "q5_offset_50000", "q6_get")


def _total(res: dict, key: str) -> str:
    total = (res.get("floor", {}).get(key) or {}).get("total")
    return "?" if total is None else f"{total:,}"


def _cell(value) -> str:
    return "n/a" if value is None else str(value)


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "**FAIL**")


def latency_table(res: dict, big: bool) -> list[str]:
    """One row per query: HTTP percentiles, floor, gap, PostgreSQL p95, target, verdict."""
    http, floor, pg = res["http"], res.get("floor", {}), res.get("postgres", {}).get("http", {})
    lines = ["| query (repeated, warm cache) | HTTP p50 | p95 | p99 | n | floor p50 warm / cold | HTTP - floor p50 | PostgreSQL p50 / p95 "
             "| target p95 | result |", "|---|---|---|---|---|---|---|---|---|---|"]
    for key, (label, small_t, big_t) in LATENCY_TARGETS.items():
        h = http.get(key) or {}
        f = floor.get(key) or {}
        warm, cold = (f.get("warm") or {}).get("p50"), (f.get("cold") or {}).get("p50")
        gap = round(h["p50"] - warm, 2) if h.get("p50") is not None and warm is not None else None
        gap_cell = _cell(gap) + (" (target <= 4)" if key in GAP_KEYS and gap is not None else "")
        p = pg.get(key) or {}
        pg_cell = f"{_cell(p.get('p50'))} / {_cell(p.get('p95'))}" if p else "-"
        target = big_t if big else small_t
        ok = None if h.get("p95") is None else h["p95"] <= target
        gap_fail = key in GAP_KEYS and gap is not None and gap > FLOOR_GAP_MS
        lines.append(f"| {label} | {_cell(h.get('p50'))} | {_cell(h.get('p95'))} | {_cell(h.get('p99'))} | "
                     f"{_cell(h.get('n'))} | {_cell(warm)} / {_cell(cold)} | {gap_cell} | {pg_cell} | "
                     f"<= {target} ms | {_verdict(ok)}{' (gap FAIL)' if gap_fail else ''} |")
    return lines


def scale_rows(res: dict, big: bool) -> list[tuple[str, object, str, bool | None]]:
    """(label, value, target text, ok) for throughput, writes, scans, discovery and memory."""
    rows: list[tuple[str, object, str, bool | None]] = []
    tp = res.get("throughput", {})

    def add(label, value, limit, higher_is_better=False, unit=""):
        ok = None if value is None else (value >= limit if higher_is_better else value <= limit)
        rows.append((label, f"{_cell(value)} {unit}".strip(), f"{'>=' if higher_is_better else '<='} {limit} {unit}",
                     ok))

    q6 = tp.get("q6_get") or {}
    add(f"Q6 throughput, 8 clients (CPU per request: server {q6.get('server_cpu_ms_per_request')} ms, client "
        f"{q6.get('client_cpu_ms_per_request')} ms)", q6.get("req_per_s"), 500 if big else 600, True, "req/s")
    rows.append(("Q1 throughput, 8 clients", f"{(tp.get('q1_list') or {}).get('req_per_s')} req/s", "-", None))
    corpus = res.get("corpus_load") or {}
    built = f", corpus built by {corpus['built_by']}" if corpus.get("built_by") else ""
    add(f"bulk registration of the whole corpus ({corpus.get('count')} rows oldest first, ArtifactRepository.add_many, "
        f"batches of {corpus.get('batch')}{built})", corpus.get("per_s"), 5000, True, "artifacts/s")
    load = res.get("load") or {}
    rows.append((f"bulk registration into the existing {load.get('into_existing')}-artifact registry "
                 f"({load.get('count')} more rows, dates spread over its two years)",
                 f"{load.get('per_s')} artifacts/s", "- (the seed-path target is the row above)", None))
    pg_load = res.get("postgres", {}).get("load") or {}
    rows.append(("bulk registration on PostgreSQL", f"{pg_load.get('per_s')} artifacts/s", ">= 5000", None))
    mirror = res.get("mirror") or {}
    add(f"mirror regeneration (write_index, {mirror.get('mb')} MB)", mirror.get("seconds"), 15 if big else 1.5,
        unit="s")
    catch = res.get("mirror_catch_up") or {}
    add(f"mirror caught up after 1,000-PUT burst (burst {catch.get('burst_s')} s)", catch.get("caught_up_s"),
        20 if big else 3, unit="s")
    scan = res.get("scan") or {}
    add("initial scan of 10,000 run folders", scan.get("initial_s"), 30, unit="s")
    add("no-change rescan of 10,000 folders", scan.get("no_change_s"), 2, unit="s")
    disc = res.get("discovery") or {}
    inproc = (disc.get("inprocess") or {}).get("per_call_ms")
    add(f"auto-discovery cost per list call (HTTP on-off paired median; in-process discover() {inproc} ms)",
        disc.get("added_paired_median_ms"), 2, unit="ms")
    mem = res.get("memory") or {}
    add("worker RSS growth, 1 GB download", (mem.get("download_1g") or {}).get("rss_growth_mb"), 32, unit="MB")
    add("worker RSS growth, 100 MB CSV upload", (mem.get("upload_csv") or {}).get("rss_growth_mb"), 64, unit="MB")
    return rows


def markdown(res: dict) -> str:
    """The whole RESULTS.md text."""
    big = res["count"] >= 1_000_000
    m = res["machine"]
    lines = [f"# Registry benchmark results: {res['count']:,} artifacts", "",
             f"- date: {res['date']}; git commit `{res['commit']}`; suite wall time {res.get('wall_s')} s",
             f"- machine: {m['nproc']} cores, {m['cpu']}, {m['mem_gb']} GB RAM, {m['os']}, Python {m['python']}; "
             f"load average at start {m['loadavg']}, at end {m.get('loadavg_end')} (the suite's own client, server and "
             "child processes share the 2 cores; anything else running shows up here)",
             f"- matches: `{COMMON_WORD}` {_total(res, 'q4_search_common')}, `{RARE_WORD}` {_total(res, 'q4_search_rare')}, "
             f"tag `{res.get('common_tag')}` {_total(res, 'q3_tag')} of {res['count']:,}",
             "- server: gunicorn -c gunicorn.conf.py (2 gthread workers x 4 threads), loopback, SQLite (WAL) unless "
             "stated; FLOWTIME_AUTO_DISCOVER=0 for the row corpus (it has no folders)",
             f"- {res['requests']} timed requests per query after {res['warmup']} warm-up; one keep-alive session; "
             "latencies in ms",
             "- floor = the same query in-process on the same database (`app.registry.store.listing.list_artifacts`, "
             "service functions for Q6/Q9, `registry_stats` for Q7); **warm** = totals/facets cache hit "
             "(what the server sees after its first call per generation), **cold** = cache cleared before "
             "each call (first call after any write); HTTP - floor compares with warm", "",
             "## Latency, warm cache: one query repeated (p95 target)", "",
             "Each query below is asked again and again, so after the first call it is a cache hit; "
             "`bench/RESULTS-workload.md` (`make bench-workload`) has every query distinct under a write stream.", "", *latency_table(res, big), "",
             "## Throughput, writes, scans, memory", "", "| measurement | value | target | result |",
             "|---|---|---|---|"]
    for label, value, target, ok in scale_rows(res, big):
        lines.append(f"| {label} | {value} | {target} | {_verdict(ok)} |")
    for part, error in (res.get("errors") or {}).items():
        lines.append(f"| ERROR in part `{part}` | {error[:200]} | | **FAIL** |")
    failed = [r for r in scale_rows(res, big) if r[3] is False]
    lines += ["", f"{len(failed)} of the non-latency targets missed. Details (per-worker RSS, all samples) are "
              f"in `bench/results/registry-{res['count']}.json`."]
    return "\n".join(lines) + "\n"
