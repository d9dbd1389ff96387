"""The floor: the benchmark's queries run in-process on the same database (no HTTP, no JSON), cold and warm."""

from __future__ import annotations

import time

from common import repeat, summarize
from corpus import COMMON_WORD, RARE_WORD

from app.registry import service
from app.registry.files import list_artifact_files
from app.registry.stats import registry_stats
from app.registry.store.cache import SnapshotCache
from app.registry.store.listing import ListQuery, list_artifacts

COMMON, RARE = COMMON_WORD, RARE_WORD
CURSOR_DEPTH = 50_000


def list_queries(tag: str) -> dict[str, tuple[dict, ListQuery]]:
    """name -> (HTTP query parameters, the equivalent ListQuery) for Q1-Q5 (offset) and Q8."""
    return {
        "q1_list": ({}, ListQuery()),
        "q2_type": ({"type": "run"}, ListQuery(types=["run"])),
        "q3_tag": ({"tags": tag}, ListQuery(tags=[tag])),
        "q4_search_common": ({"search": COMMON}, ListQuery(search=COMMON)),
        "q4_search_rare": ({"search": RARE}, ListQuery(search=RARE)),
        "q5_offset_50000": ({"offset": CURSOR_DEPTH}, ListQuery(offset=CURSOR_DEPTH)),
        "q8_facets_search": ({"facets": "type,tags,source", "search": COMMON},
                             ListQuery(search=COMMON, facets=["type", "tags", "source"])),
    }


def _list_ms(ctx, query: ListQuery, cold: bool) -> float:
    """One in-process listing; cold drops the per-snapshot totals/facets cache first."""
    if cold:
        ctx.cache = SnapshotCache()
    start = time.perf_counter()
    with ctx.db.read() as connection:
        list_artifacts(connection, ctx.search, ctx.cache, query, ctx.cursor_key)
    return (time.perf_counter() - start) * 1000


def cursor_at_depth(run_page, depth: int = CURSOR_DEPTH) -> str:
    """Walk next_cursor with limit=1000 until `depth` rows are behind us; returns the cursor there."""
    cursor = None
    for _ in range(depth // 1000):
        cursor = run_page(cursor, 1000)
    return cursor


def floor_cursor_pages(ctx, pages: int) -> dict:
    """Per-page latency of limit-50 keyset pages starting 50,000 rows deep, in-process."""
    def run_page(cursor, limit):
        with ctx.db.read() as connection:
            return list_artifacts(connection, ctx.search, ctx.cache, ListQuery(cursor=cursor, limit=limit), ctx.cursor_key).next_cursor

    cursor = cursor_at_depth(run_page)
    samples = []
    for _ in range(pages):
        start = time.perf_counter()
        cursor = run_page(cursor, 50)
        samples.append((time.perf_counter() - start) * 1000)
    return summarize(samples)


def floor_reads(ctx, tag: str, ids: list[str], count: int, warmup: int, budget_s: float,
                only: set[str] | None = None) -> dict:
    """Q1-Q8 (or the `only` subset) in-process: list queries cold (cache cleared first) and warm, Q6, Q7."""
    results: dict[str, dict] = {}
    for name, (_, query) in list_queries(tag).items():
        if only and name not in only:
            continue
        cold = repeat(lambda q=query: _list_ms(ctx, q, True), max(5, count // 4), 1, budget_s / 2)
        with ctx.db.read() as connection:  # primes the cache; the total tells how many rows match
            total = list_artifacts(connection, ctx.search, ctx.cache, query, ctx.cursor_key).total
        warm = repeat(lambda q=query: _list_ms(ctx, q, False), count, warmup, budget_s / 2)
        results[name] = {"cold": cold, "warm": warm, "total": total}
        print(f"  floor {name}: cold p50 {cold['p50']} ms, warm p50 {warm['p50']} ms", flush=True)
    if not only or "q5_cursor_page_50000" in only:
        results["q5_cursor_page_50000"] = {"warm": floor_cursor_pages(ctx, 50)}
    state = {"i": 0}

    def get_one() -> float:
        state["i"] += 1
        start = time.perf_counter()
        artifact_id = ids[(state["i"] * 7919) % len(ids)]
        service.get_artifact(ctx, artifact_id)
        list_artifact_files(ctx, artifact_id)
        return (time.perf_counter() - start) * 1000

    results["q6_get"] = {"warm": repeat(get_one, count, warmup, budget_s)}

    def stats_once() -> float:
        start = time.perf_counter()
        registry_stats(ctx)
        return (time.perf_counter() - start) * 1000

    if not only or "q7_stats" in only:
        results["q7_stats"] = {"warm": repeat(stats_once, max(10, count // 4), 2, budget_s)}
    print(f"  floor q5/q6/q7 warm: {[results.get(k, {}).get('warm', {}).get('p50') for k in ('q5_cursor_page_50000', 'q6_get', 'q7_stats')]}",
          flush=True)
    return results


def floor_put(ctx, ids: list[str], count: int, warmup: int, budget_s: float) -> dict:
    """Q9 in-process: service.update_artifact title edits (mirror writes left out)."""
    state = {"i": 0}

    def put_one() -> float:
        state["i"] += 1
        start = time.perf_counter()
        service.update_artifact(ctx, ids[(state["i"] * 104729) % len(ids)], {"title": f"floor edit {state['i']}"})
        return (time.perf_counter() - start) * 1000

    return {"warm": repeat(put_one, count, warmup, budget_s)}
