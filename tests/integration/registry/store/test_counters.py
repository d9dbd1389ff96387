"""The counts kept in the write transaction equal a recount after any sequence of writes, on every database."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from app.registry.records import ArtifactRecord
from app.registry.store.listing import ListQuery, list_artifacts
from tests.conftest import make_app

TYPES = ("run", "model", "telemetry")
TAGS = ("alpha", "beta", "archived", "gamma_x", "a%b")


@pytest.fixture(params=["sqlite", "postgres"])
def counted_ctx(request, tmp_path_factory):
    overrides = {"auto_discover": False}
    if request.param == "postgres":
        from tests.backends import fresh_database

        url, drop = fresh_database(request.getfixturevalue("postgres_url"))
        request.addfinalizer(drop)
        overrides["database_url"] = url
    app = make_app(tmp_path_factory.mktemp("data"), **overrides)
    yield app.extensions["flowtime"]
    app.extensions["flowtime"].close()


def _record(index: int, kind: str, tags: list[str], size: int) -> ArtifactRecord:
    created = datetime(2026, 1, 1) + timedelta(minutes=index)
    return ArtifactRecord(id=f"run_count_{index:04d}", type=kind, title=f"Counted {index}", path=f"run_count_{index:04d}",
                          created=created, modified=created, source="engine", tags=tags, size_bytes=size)


def _recount(connection) -> Counter:
    state = ("CASE WHEN a.deleted_at IS NOT NULL AND a.archived THEN 'deleted-archived' WHEN a.deleted_at IS NOT NULL "
             "THEN 'deleted' WHEN a.archived THEN 'archived' ELSE 'live' END")
    found: Counter = Counter()
    for kind, source, st_, n, size in connection.execute(text(
            f"SELECT a.type, a.source, {state}, count(*), sum(a.size_bytes) FROM artifacts a GROUP BY 1, 2, 3")):
        found[("*", "", st_)] += n
        found[("type", kind, st_)] += n
        found[("source", source, st_)] += n
        found[("bytes", "", st_)] += int(size)
    for kind, tag, st_, n in connection.execute(text(
            f"SELECT a.type, t.tag, {state}, count(*) FROM artifact_tags t JOIN artifacts a ON a.seq = t.artifact_seq "
            "GROUP BY 1, 2, 3")):
        found[("tag", tag, st_)] += n
        found[("type+tag", f"{kind}\x1f{tag}", st_)] += n
    return +found


def _kept(connection) -> Counter:
    return +Counter({(f, v, s): n for f, v, s, n in connection.execute(
        text("SELECT facet, value, state, n FROM artifact_counts"))})


operation = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 30), st.sampled_from(TYPES), st.lists(st.sampled_from(TAGS), max_size=3, unique=True),
              st.integers(0, 10**6)),
    st.tuples(st.just("add_many"), st.integers(0, 30), st.sampled_from(TYPES), st.lists(st.sampled_from(TAGS), max_size=3, unique=True),
              st.integers(0, 10**6)),
    st.tuples(st.just("edit"), st.integers(0, 30), st.sampled_from(TYPES), st.lists(st.sampled_from(TAGS), max_size=3, unique=True),
              st.integers(0, 10**6)),
    st.tuples(st.just("delete"), st.integers(0, 30), st.booleans(), st.just([]), st.just(0)),
    st.tuples(st.just("remove"), st.integers(0, 30), st.just(""), st.just([]), st.just(0)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, max_size=25))
def test_kept_counts_equal_a_recount(counted_ctx, operations):
    with counted_ctx.writing() as registry:
        registry.clear_all()
    for name, index, value, tags, size in operations:
        with counted_ctx.writing() as registry:
            existing = registry.get(f"run_count_{index:04d}")
            companion_free = registry.get(f"run_count_{index + 100:04d}") is None  # add_many's second record
            if name in ("add", "add_many") and existing is None and (name == "add" or companion_free):
                record = _record(index, value, tags, size)
                registry.add(record) if name == "add" else registry.add_many([record, _record(index + 100, value, tags, 1)])
            elif name == "edit" and existing is not None:
                existing.type, existing.tags, existing.size_bytes = value, list(dict.fromkeys(tags)), size
                registry.save(existing)
            elif name == "delete" and existing is not None:
                existing.deleted_at = datetime(2026, 2, 1) if value else None
                registry.save(existing)
            elif name == "remove" and existing is not None:
                registry.remove(existing.id)
    with counted_ctx.db.read() as connection:
        assert _kept(connection) == _recount(connection)


def test_listing_totals_and_facets_from_the_counts_match_the_rows(counted_ctx):
    with counted_ctx.writing() as registry:
        registry.add_many([_record(i, TYPES[i % 3], [TAGS[i % 5], TAGS[(i + 1) % 5]], i) for i in range(60)])
        gone = registry.get("run_count_0007")
        gone.deleted_at = datetime(2026, 3, 1)
        registry.save(gone)
    queries = [ListQuery(), ListQuery(types=["run"]), ListQuery(types=["run", "model"]), ListQuery(tags=["beta"]),
               ListQuery(types=["model"], tags=["alpha"]), ListQuery(sources=["engine"]), ListQuery(include_deleted=True),
               ListQuery(include_archived=True, tags=["archived"]), ListQuery(include_deleted=True, include_archived=True)]
    with counted_ctx.db.read() as connection:
        for query in queries:
            query.facets = ["type", "tags", "source"]
            query.limit = 200
            result = list_artifacts(connection, counted_ctx.search, counted_ctx.cache, query, b"k" * 32)
            assert result.total == len(result.ids) and result.total_exact
            for name, values in result.facets.items():
                expected = Counter()
                for record in result.records:
                    for value in (record.tags if name == "tags" else [getattr(record, name)]):
                        expected[value] += 1
                assert {v["value"]: v["count"] for v in values} == dict(expected), (query, name)
