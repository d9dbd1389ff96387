"""The workload's PostgreSQL column (--pg): a throw-away server with the same corpus, the same reads and writes."""

from __future__ import annotations

import shutil
from dataclasses import replace

import psycopg
from common import Server, running
from corpus import bulk_load, context
from workload_clients import OurApi, run_reads
from workload_stats import summaries, write_summary
from writer import HttpWrites, Writer

from app.migrate import upgrade
from tests.pg_server import binaries, postgres_server


def _remap(items: list, ids: dict[str, str]) -> list:
    """The reads or writes with artifact ids of the SQLite corpus replaced by PostgreSQL's."""
    return [replace(item, artifact_id=ids[item.artifact_id]) if item.artifact_id else item for item in items]


def pg_column(args, sqlite_ids: list[str], reads, writes) -> dict:
    """Start PostgreSQL, load the corpus (same generator and seed), run the workload over HTTP; always stop it.

    Ids embed the creation time, which the generator dates back from now: the N-th generated row of the
    fresh load stands for the N-th of the cached SQLite corpus (same seed, same order).
    """
    if binaries() is None:
        return {"skipped": "PostgreSQL is not installed"}
    data_dir = args.cache_dir / f"workload-{args.count}-pg"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    try:
        with postgres_server() as base_url:
            with psycopg.connect(base_url.replace("postgresql+psycopg", "postgresql") + "/postgres",
                                 autocommit=True) as conn:
                conn.execute("CREATE DATABASE bench")
            url = f"{base_url}/bench"
            upgrade(url)
            ctx = context(data_dir, url)
            try:
                load = bulk_load(ctx, args.count, args.seed)
                with ctx.db.write() as connection:
                    connection.exec_driver_sql("ANALYZE")
                    pg_ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM artifacts ORDER BY seq")]
            finally:
                ctx.close()
            print(f"  PostgreSQL bulk load: {load}", flush=True)
            mapping = dict(zip(sqlite_ids, pg_ids, strict=True))
            reads, writes = _remap(reads, mapping), _remap(writes, mapping)
            with running(Server(data_dir, FLOWTIME_DATABASE_URL=url, FLOWTIME_AUTO_DISCOVER="0")) as srv:
                writer = Writer(HttpWrites(srv.base, None, args.timeout), writes, args.write_rate)
                writer.start()
                out = summaries(run_reads(OurApi(srv.base), reads, args.threads, args.duration, args.timeout))
                out["writes"] = write_summary(writer.stop(), writer.elapsed)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return {**out, "load": load}
