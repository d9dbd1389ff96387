"""Facets past the exact-total bound are counted over the newest FACET_SAMPLE matches, and the response says so;
below it (or when fewer matches than the sample exist) they are exact. The bounds are shrunk to test sizes."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from app.registry.records import ArtifactRecord
from app.registry.store import facets, listing
from tests.api.conftest import ON_EACH_DATABASE

COUNT, BOUND, SAMPLE = 60, 10, 25
TAGS = ("red", "green", "blue")
pytestmark = pytest.mark.app_settings(auto_discover=False)  # the rows have no folders for discovery to find


@pytest.fixture
def records(app, monkeypatch):
    monkeypatch.setattr(listing, "EXACT_TOTAL_UP_TO", BOUND)
    monkeypatch.setattr(facets, "FACET_SAMPLE", SAMPLE)
    base = datetime(2025, 1, 1)
    made = [ArtifactRecord(id=f"run_{i:03d}", type="run" if i % 3 else "model", path=f"run_{i:03d}",
                           title=f"alpha plan {i}", tags=[TAGS[i % 3], *(["rare"] if i % 20 == 0 else [])],
                           source="engine" if i % 2 else "import", created=base + timedelta(hours=i),
                           modified=base) for i in range(COUNT)]
    with app.extensions["flowtime"].writing(bulk=True) as registry:
        registry.add_many(made)
    return made  # in insertion order: the newest matches are the last ones


def _expected(matches: list[ArtifactRecord]) -> dict:
    counts = {"type": Counter(r.type for r in matches), "source": Counter(r.source for r in matches),
              "tags": Counter(t for r in matches for t in r.tags)}
    return {name: sorted(c.items(), key=lambda item: (-item[1], item[0])) for name, c in counts.items()}


def _facets(client, **query) -> dict:
    body = client.get("/v1/artifacts", query_string={"facets": "type,tags,source", **query}).json
    got = {name: [(f["value"], f["count"]) for f in values] for name, values in body["facets"].items()}
    return {"facets": got, "exact": body["facets_exact"], "sample": body["facets_sample"], "total": body["total"]}


@ON_EACH_DATABASE
@pytest.mark.parametrize(("query", "keep"), [
    ({"search": "alpha"}, lambda r: True),
    ({"search": "alpha", "type": "run"}, lambda r: r.type == "run"),
    ({"created_after": "2025-01-01T05:00:00Z"}, lambda r: r.created >= datetime(2025, 1, 1, 5)),
], ids=["search", "search-and-type", "filter-the-counts-cannot-answer"])
def test_past_the_bound_facets_cover_the_newest_sample(client, records, query, keep):
    matches = [r for r in records if keep(r)]
    got = _facets(client, **query)
    assert (got["exact"], got["sample"], got["total"]) == (False, SAMPLE, BOUND)
    assert got["facets"] == _expected(matches[-SAMPLE:])


@ON_EACH_DATABASE
@pytest.mark.parametrize(("query", "keep"), [
    ({"search": "alpha", "tags": "red"}, lambda r: "red" in r.tags),  # 20 matches: past the bound, under the sample
    ({"search": "alpha", "tags": "rare"}, lambda r: "rare" in r.tags),  # 3 matches: an exact total
], ids=["fewer-than-the-sample", "within-the-bound"])
def test_fewer_matches_than_the_sample_give_exact_facets(client, records, query, keep):
    got = _facets(client, **query)
    assert (got["exact"], got["sample"]) == (True, None)
    assert got["facets"] == _expected([r for r in records if keep(r)])
