"""PostgreSQL beside SQLite: the same corpus bulk-loaded into a throw-away server, Q1-Q4, Q6, Q9 over HTTP."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
from common import Server, running
from corpus import bulk_load, context
from floor import floor_reads
from http_bench import probe, put_latency, read_latencies
from scale_bench import mirror_regeneration

from app.migrate import upgrade
from tests.pg_server import binaries, postgres_server

PG_QUERIES = {"q1_list", "q2_type", "q3_tag", "q4_search_common", "q4_search_rare"}


def pg_suite(root: Path, count: int, seed: int, requests_n: int, warmup: int, budget_s: float) -> dict:
    """Start PostgreSQL, load the corpus with the same generator and seed, measure over HTTP; always stop it."""
    if binaries() is None:
        return {"skipped": "PostgreSQL is not installed"}
    data_dir = root / "pg-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    out: dict = {}
    with postgres_server() as base_url:
        with psycopg.connect(base_url.replace("postgresql+psycopg", "postgresql") + "/postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        url = f"{base_url}/bench"
        upgrade(url)
        ctx = context(data_dir, url)
        try:
            out["load"] = bulk_load(ctx, count, seed)
            print(f"  PostgreSQL bulk load: {out['load']}", flush=True)
            with ctx.db.write() as connection:
                connection.exec_driver_sql("ANALYZE")
            out["mirror"] = mirror_regeneration(ctx, repeats=1)
            with running(Server(data_dir, FLOWTIME_DATABASE_URL=url, FLOWTIME_AUTO_DISCOVER="0")) as srv:
                tag, ids = probe(srv.base)
                out["http"] = read_latencies(srv.base, tag, ids, requests_n, warmup, budget_s, only=PG_QUERIES)
                out["floor"] = floor_reads(ctx, tag, ids, requests_n // 2, warmup, budget_s / 2,
                                           only=PG_QUERIES | {"q6_get"})
                out["http"]["q9_put"] = put_latency(srv.base, ids, requests_n, warmup, budget_s)
                print(f"  http pg q9_put: {out['http']['q9_put']}", flush=True)
        finally:
            ctx.close()
    shutil.rmtree(data_dir, ignore_errors=True)
    return out
