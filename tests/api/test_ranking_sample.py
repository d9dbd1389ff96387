"""A search whose words match more than RANKED_NEWEST artifacts scores the newest that many by relevance; the
older word matches follow newest first, then substring-only matches: every match once, and the response says
so. The bound is shrunk to a test size."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.registry.records import ArtifactRecord
from app.registry.store import best_matches, listing
from tests.api.conftest import ON_EACH_DATABASE

WORD_MATCHES, SUBSTRING_ONLY, NEWEST = 40, 3, 10
pytestmark = [pytest.mark.app_settings(auto_discover=False), ON_EACH_DATABASE]


@pytest.fixture
def records(app, monkeypatch):
    monkeypatch.setattr(listing, "RANKED_NEWEST", NEWEST)
    base = datetime(2025, 1, 1)
    titles = [f"alpha {'alpha ' * (i % 3)}plan {i}" for i in range(WORD_MATCHES)]
    titles += [f"zzalphazz {i}" for i in range(SUBSTRING_ONLY)]  # "alpha" inside a word: the infix index only
    made = [ArtifactRecord(id=f"run_{i:03d}", type="run", path=f"run_{i:03d}", title=title,
                           created=base + timedelta(hours=i), modified=base) for i, title in enumerate(titles)]
    with app.extensions["flowtime"].writing(bulk=True) as registry:
        registry.add_many(made)
    return [r.id for r in made]  # in insertion order


def _walk(client, **query) -> tuple[list[dict], dict]:
    seen, cursor, body = [], None, None
    while True:
        body = client.get("/v1/artifacts", query_string={"search": "alpha", "limit": 7, **query,
                                                         **({"cursor": cursor} if cursor else {})}).json
        seen += body["artifacts"]
        cursor = body["next_cursor"]
        if not cursor:
            return seen, body


@pytest.mark.parametrize("window", [best_matches.MAX_WINDOW, 16], ids=["ranked-window", "keyset-walk"])
def test_the_newest_are_scored_then_older_word_matches_then_substrings(client, records, monkeypatch, window):
    monkeypatch.setattr(best_matches, "MAX_WINDOW", window)  # 16: pages past the first walk (rank, id) keysets
    seen, body = _walk(client)
    ids, scores = [a["id"] for a in seen], [a["score"] for a in seen]
    words, substrings = records[:WORD_MATCHES], records[WORD_MATCHES:]
    assert (body["ranking_exact"], body["ranking_sample"]) == (False, NEWEST)
    assert set(ids[:NEWEST]) == set(words[-NEWEST:]) and scores[:NEWEST] == sorted(scores[:NEWEST], reverse=True)
    assert all(score > 0 for score in scores[:NEWEST])
    assert ids[NEWEST:WORD_MATCHES] == words[-NEWEST - 1::-1]  # older word matches, newest first
    assert all(-1 < score < -0.5 for score in scores[NEWEST:WORD_MATCHES])
    assert sorted(ids[WORD_MATCHES:]) == substrings and all(score <= -1 for score in scores[WORD_MATCHES:])


def test_offset_pages_follow_the_same_order(client, records):
    walked = [a["id"] for a in _walk(client)[0]]
    by_offset = []
    for offset in range(0, len(records), 9):
        page = client.get("/v1/artifacts", query_string={"search": "alpha", "limit": 9, "offset": offset}).json
        by_offset += [a["id"] for a in page["artifacts"]]
    assert by_offset == walked and len(walked) == len(records)


def test_fewer_word_matches_than_the_bound_are_all_scored(client, records, monkeypatch):
    monkeypatch.setattr(listing, "RANKED_NEWEST", WORD_MATCHES)
    seen, body = _walk(client)
    assert (body["ranking_exact"], body["ranking_sample"]) == (True, None)
    assert all(a["score"] > 0 for a in seen[:WORD_MATCHES])
