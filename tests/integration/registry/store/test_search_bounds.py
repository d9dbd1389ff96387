"""Search stays bounded: ties and deep offsets never rank a window of every match, and the cache has a byte cap."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from app.registry.records import ArtifactRecord
from app.registry.store import best_matches, listing
from app.registry.store.cache import SnapshotCache, approx_size
from app.registry.store.search.sqlite_fts5 import BM25_WEIGHTS
from tests.conftest import make_app

TIED = 3000  # runs of one model sharing a title: their bm25 scores tie


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("search-bounds")
    app = make_app(data_dir, auto_discover=False, cache_mb=1)
    ctx = app.extensions["flowtime"]
    base = datetime(2025, 1, 1)
    records = [ArtifactRecord(id=f"run_{i:05d}", type="run", path=f"run_{i:05d}", title="Shared capacity plan",
                              description=f"w{i % 60}", created=base + timedelta(minutes=i),
                              modified=base + timedelta(minutes=i), size_bytes=i % 7)
               for i in range(TIED)]
    records += [ArtifactRecord(id=f"run_best_{i}", type="run", path=f"run_best_{i}", title="shared shared capacity",
                               created=base, modified=base) for i in range(3)]
    with ctx.writing(bulk=True) as registry:
        registry.add_many(records)
    yield app, ctx
    ctx.close()


@pytest.fixture
def windows(world, monkeypatch):
    """The size of every ranked window the listing asks the index for."""
    _, ctx = world
    asked: list[int] = []
    real_top = ctx.search.top

    def spy(connection, match, limit, newer_than=None):
        asked.append(limit)
        return real_top(connection, match, limit, newer_than)

    monkeypatch.setattr(ctx.search, "top", spy)
    return asked


def _expected(ctx, word: str = "shared") -> list[str]:
    """Every match in exact (rank, id) order, ranked by hand."""
    with ctx.db.read() as connection:
        rows = connection.execute(text(
            f"SELECT a.id, bm25(artifacts_fts, {BM25_WEIGHTS}) FROM artifacts_fts JOIN artifacts a ON a.seq = "
            "artifacts_fts.rowid WHERE artifacts_fts MATCH :m"), {"m": f'"{word}"*'}).all()
    return [artifact_id for artifact_id, _ in sorted(rows, key=lambda r: (r[1], r[0]))]


def test_cursor_walk_over_ties_is_exact_with_bounded_windows(world, windows):
    app, ctx = world
    client = app.test_client()
    seen, cursor = [], None
    while True:
        query = {"search": "shared", "limit": 200, **({"cursor": cursor} if cursor else {})}
        body = client.get("/v1/artifacts", query_string=query).json
        seen += [a["id"] for a in body["artifacts"]]
        assert all("<mark>" in a["snippet"] for a in body["artifacts"])
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == _expected(ctx) and len(seen) == TIED + 3
    assert windows and max(windows) <= best_matches.MAX_WINDOW, windows


@pytest.mark.parametrize("offset", [0, 1, 3, 199, 2500, TIED - 5, TIED + 10, listing.MAX_RELEVANCE_OFFSET])
def test_offset_pages_over_ties_are_exact(world, windows, offset):
    app, ctx = world
    body = app.test_client().get("/v1/artifacts", query_string={"search": "shared", "limit": 20,
                                                                 "offset": offset}).json
    assert [a["id"] for a in body["artifacts"]] == _expected(ctx)[offset:offset + 20]
    assert (body["total"], body["total_exact"]) == (listing.EXACT_TOTAL_UP_TO, False)  # a lower bound past it
    assert all(size <= best_matches.MAX_WINDOW for size in windows), windows


@pytest.mark.parametrize("offset", [listing.MAX_RELEVANCE_OFFSET + 1, 10**9])
def test_relevance_offset_beyond_the_cap_is_a_400_naming_it(world, offset):
    app, _ = world
    response = app.test_client().get("/v1/artifacts", query_string={"search": "shared", "offset": offset})
    assert response.status_code == 400
    assert "offset" in response.json["details"] and str(listing.MAX_RELEVANCE_OFFSET) in response.json["error"]
    # other sorts keep their deep offsets
    deep = app.test_client().get("/v1/artifacts", query_string={"search": "shared", "sort": "id", "offset": offset})
    assert deep.status_code == 200 and deep.json["artifacts"] == []


def test_many_distinct_searches_stay_within_the_cache_byte_cap(world):
    app, ctx = world
    client = app.test_client()
    for i in range(60):
        response = client.get("/v1/artifacts", query_string={"search": f"shared w{i}", "offset": 400,
                                                             "facets": "type,tags"})
        assert response.status_code == 200
        assert ctx.cache.bytes <= ctx.cache.max_bytes == 1024 * 1024


def test_snapshot_cache_evicts_by_bytes():
    cache = SnapshotCache(max_entries=1000, max_bytes=50_000)
    for i in range(100):
        cache.get(("e", 1), ("k", i), lambda: "x" * 2_000)
        assert cache.bytes <= 50_000
    assert 10 < len(cache) < 30
    assert cache.get(("e", 1), ("k", 99), lambda: "recomputed") == "x" * 2_000  # the newest entries stay
    huge = ["y" * 1000] * 100
    assert cache.get(("e", 1), ("huge",), lambda: huge) is huge and cache.bytes <= 50_000  # too big to keep
    assert approx_size(huge) > 100_000
