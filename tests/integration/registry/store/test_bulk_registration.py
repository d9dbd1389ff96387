"""The bulk path (ArtifactRepository.add_many) on every database: rows, tags, links and the search index agree."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from app.migrate import alembic_config, upgrade
from app.registry.records import ArtifactRecord
from app.registry.service import list_artifacts
from app.registry.store.listing import ListQuery
from tests.conftest import make_app


@pytest.fixture(params=["sqlite", "postgres"])
def bulk_ctx(request, data_dir):
    """A registry context on each database back-end."""
    overrides = {"auto_discover": False}  # the records have no folders: discovery would flag them missing
    if request.param == "postgres":
        from tests.backends import fresh_database

        url, drop = fresh_database(request.getfixturevalue("postgres_url"))
        request.addfinalizer(drop)
        overrides["database_url"] = url
    app = make_app(data_dir, **overrides)
    yield app.extensions["flowtime"]
    app.extensions["flowtime"].close()


def _record(index: int, word: str, tags: list[str], derived: list[str] = ()) -> ArtifactRecord:
    created = datetime(2026, 1, 1) + timedelta(minutes=index)
    return ArtifactRecord(id=f"run_bulk_{index:05d}", type="run", title=f"Bulk {word} {index}",
                          path=f"run_bulk_{index:05d}", created=created, modified=created, source="engine",
                          description=f"batch member {index}", tags=tags, derived_from=list(derived))


def _search(ctx, words: str, **filters) -> tuple[int, list[str]]:
    result = list_artifacts(ctx, ListQuery(search=words, limit=200, **filters))
    return result.total, result.ids


def test_every_row_of_a_batch_is_searchable_tagged_and_linked(bulk_ctx):
    first = [_record(i, f"alpha{i}x", [f"t{i % 3}"]) for i in range(120)]
    second = [_record(i, f"beta{i}x", [f"t{i % 3}", "second"], derived=[first[0].id]) for i in range(120, 240)]
    with bulk_ctx.writing(bulk=True) as registry:
        registry.add_many(first)
    with bulk_ctx.writing(bulk=True) as registry:
        registry.add_many(second)
        registry.add(_record(999, "gamma", ["single"]))

    assert _search(bulk_ctx, "alpha7x") == (1, ["run_bulk_00007"])
    assert _search(bulk_ctx, "beta239x") == (1, ["run_bulk_00239"])
    assert _search(bulk_ctx, "gamma") == (1, ["run_bulk_00999"])
    assert _search(bulk_ctx, "bulk")[0] == 241
    assert _search(bulk_ctx, "batch", tags=["second"])[0] == 120
    assert list_artifacts(bulk_ctx, ListQuery(tags=["t1"])).total == 80
    assert list_artifacts(bulk_ctx, ListQuery(related_to=first[0].id)).total == 120  # the derived ones


def test_the_sqlite_search_index_matches_its_rows_after_bulk_and_single_inserts(data_dir):
    app = make_app(data_dir, auto_discover=False)
    ctx = app.extensions["flowtime"]
    try:
        with ctx.writing(bulk=True) as registry:
            registry.add_many([_record(i, "delta", ["x"]) for i in range(50)])
            registry.add(_record(50, "delta", ["x"]))
        with ctx.reading() as registry:
            assert ctx.search.integrity_check(registry.connection) is None
            indexed = registry.connection.execute(text("SELECT count(*) FROM artifacts_fts_docsize")).scalar()
        assert indexed == 51
    finally:
        ctx.close()


def _triggers(url: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        names = {row[0] for row in connection.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'"))}
    engine.dispose()
    return names


def test_downgrading_below_0005_restores_the_insert_trigger(tmp_path):
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    upgrade(url)
    assert _triggers(url) == {"artifacts_fts_delete", "artifacts_fts_update",
                              "artifacts_infix_delete", "artifacts_infix_update"}  # 0007: the infix index
    command.downgrade(alembic_config(url), "0004")
    assert _triggers(url) == {"artifacts_fts_delete", "artifacts_fts_update", "artifacts_fts_insert"}
    upgrade(url)
    assert "artifacts_fts_insert" not in _triggers(url)


@pytest.mark.parametrize("fails", [False, True])
def test_a_bulk_transaction_gets_a_large_page_cache_and_gives_it_back(tmp_path, fails):
    from app.db import SQLITE_BULK_CACHE_KIB, SQLITE_DEFAULT_CACHE_KIB, Database

    db = Database(f"sqlite:///{tmp_path / 'registry.db'}")
    try:
        with pytest.raises(RuntimeError) if fails else nullcontext(), db.write(bulk=True) as connection:
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -SQLITE_BULK_CACHE_KIB
            if fails:
                raise RuntimeError("the batch failed")
        with db.read() as connection:  # the pool hands the same connection back
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -SQLITE_DEFAULT_CACHE_KIB
    finally:
        db.dispose()
