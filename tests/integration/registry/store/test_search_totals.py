"""A search's total counts its word matches, then the matches only the substring index finds: exact up to the
bound, the bound itself (`total_exact: false`) past it, deleted rows left out unless asked for. Its facets
count both kinds, exactly while they fit the facet sample."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.registry.records import ArtifactRecord
from app.registry.store.facets import FACET_SAMPLE
from app.registry.store.listing import EXACT_TOTAL_UP_TO, ListQuery, list_artifacts

BOUND = EXACT_TOTAL_UP_TO


def _records(words: int, substrings: int, deleted_every: int) -> list[ArtifactRecord]:
    """`words` titles holding the word "capacity", `substrings` holding only "overcapacity", 50 neither."""
    titles = ["Capacity plan"] * words + ["Overcapacity study"] * substrings + ["Unrelated"] * 50
    return [ArtifactRecord(id=f"run_{i:05d}", type=("run", "model")[i % 3 == 0], path=f"run_{i:05d}", title=title,
                           created=datetime(2025, 1, 1) + timedelta(minutes=i), modified=datetime(2025, 1, 1),
                           deleted_at=datetime(2025, 6, 1) if deleted_every and i % deleted_every == 0 else None)
            for i, title in enumerate(titles)]


@pytest.mark.parametrize(("words", "substrings", "deleted_every"), [
    (300, 400, 0), (300, 400, 7), (0, 120, 0), (BOUND - 5, 5, 0), (BOUND - 5, 6, 0), (BOUND + 3, 10, 0),
    (600, 600, 0), (600, 600, 3), (BOUND, 0, 0)])
@pytest.mark.parametrize("include_deleted", [False, True])
def test_total_of_word_and_substring_matches(ctx, words, substrings, deleted_every, include_deleted):
    records = _records(words, substrings, deleted_every)
    with ctx.writing(bulk=True) as registry:
        registry.add_many(records)
    expected = sum(1 for r in records if r.title != "Unrelated" and (include_deleted or r.deleted_at is None))
    with ctx.db.read() as connection:
        page = list_artifacts(connection, ctx.search, ctx.cache,
                              ListQuery(search="capac", include_deleted=include_deleted, limit=5), ctx.cursor_key)
    assert (page.total, page.total_exact) == ((expected, True) if expected <= BOUND else (BOUND, False))


@pytest.mark.parametrize(("words", "substrings"), [(300, 400), (0, 120), (40, 0), (FACET_SAMPLE - 100, 300)])
def test_facets_count_word_and_substring_matches(ctx, words, substrings):
    records = _records(words, substrings, 5)
    with ctx.writing(bulk=True) as registry:
        registry.add_many(records)
    matching = [r for r in records if r.title != "Unrelated" and r.deleted_at is None]
    with ctx.db.read() as connection:
        page = list_artifacts(connection, ctx.search, ctx.cache, ListQuery(search="capac", facets=["type"], limit=5),
                              ctx.cursor_key)
    counts = {item["value"]: item["count"] for item in page.facets["type"]}
    if len(matching) < FACET_SAMPLE:
        assert counts == {t: n for t in ("run", "model") if (n := sum(1 for r in matching if r.type == t))}
        assert page.facets_sample is None
    else:  # the word matches fill the sample, newest first
        assert sum(counts.values()) == FACET_SAMPLE and page.facets_sample == FACET_SAMPLE
