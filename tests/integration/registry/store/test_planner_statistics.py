"""SQLite's planner statistics: a type selects a third of the rows, and a type-filtered page sorted by title or
size walks the sort index (which holds the type) instead of sorting every row of that type."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from app.registry.records import ArtifactRecord
from app.registry.store.listing import ListQuery, list_artifacts
from app.registry.store.statistics import correct_few_valued

COUNT = 3_000  # more than the bounded ANALYZE reads per index: its sample of the type index holds one type


def _records():
    for i in range(COUNT):
        kind = ("model", "run", "telemetry")[i * 3 // COUNT]  # in type order: the first 1,000 are all models
        yield ArtifactRecord(id=f"{kind}_{i:06d}", type=kind, title=f"t{(i * 7919) % COUNT:06d}", path=f"p{i}",
                             created=datetime(2025, 1, 1) + timedelta(minutes=i), modified=datetime(2025, 1, 1),
                             size_bytes=i if kind == "telemetry" else 10 * COUNT + i, file_names=[])


@pytest.fixture
def registry_ctx(ctx):
    with ctx.writing(bulk=True) as registry:  # a bulk commit refreshes the statistics
        registry.add_many(list(_records()))
    return ctx


def _rows_per_type(ctx) -> int:
    with ctx.db.read() as connection:
        stat = connection.execute(text("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_live_type_created'")).scalar()
    return int(stat.split()[1])


def _about_a_third(rows: int) -> bool:
    return abs(rows - COUNT / 3) < 0.05 * COUNT / 3  # ANALYZE's row count of the index is itself an estimate


def test_a_type_selects_a_third_of_the_rows(registry_ctx):
    assert _about_a_third(_rows_per_type(registry_ctx))


def test_the_correction_is_what_sets_it(registry_ctx):
    registry_ctx.db.refresh_statistics()  # the bounded sample alone
    assert _rows_per_type(registry_ctx) < 0.6 * COUNT / 3  # the sample saw one or two types: "selective"
    registry_ctx.db.refresh_statistics(correct=correct_few_valued)
    assert _about_a_third(_rows_per_type(registry_ctx))


@pytest.mark.parametrize(("sort", "order", "index"), [("title", "asc", "ix_live_title"),
                                                     ("size", "asc", "ix_live_size"),
                                                     ("modified", "desc", "ix_live_modified")])
def test_a_type_filtered_page_walks_the_sort_index(registry_ctx, sort, order, index):
    with registry_ctx.db.read() as connection:
        plans = []
        connection.connection.driver_connection.set_trace_callback(plans.append)
        query = ListQuery(types=["telemetry"], sort=sort, order=order, limit=50)
        page = list_artifacts(connection, registry_ctx.search, registry_ctx.cache, query, registry_ctx.cursor_key)
        connection.connection.driver_connection.set_trace_callback(None)
        walk = next(sql for sql in plans if "ORDER BY" in sql and "LIMIT" in sql)
        plan = " / ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {walk}"))
    assert f"INDEX {index}" in plan and "TEMP B-TREE" not in plan, plan
    assert page.ids and all(i.startswith("telemetry_") for i in page.ids)
    key = {"title": lambda d: d["title"], "size": lambda d: d["size_bytes"], "modified": lambda d: d["modified"]}
    values = [key[sort](json.loads(document)) for document in page.documents]
    assert values == sorted(values, reverse=order == "desc")


@pytest.mark.parametrize("index", ["ix_live_title", "ix_live_size", "ix_live_modified"])
def test_the_sort_indexes_hold_the_filters_columns(ctx, index):
    """A walk checks type and source from the index entry, reading no row (migration 0013)."""
    with ctx.db.read() as connection:
        columns = [row[2] for row in connection.exec_driver_sql(f"PRAGMA index_info({index})")]
    assert columns[2:] == ["type", "source"]
