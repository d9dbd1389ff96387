"""Series filters matching many artifacts walk the sort index (EXISTS per row); few come from the stats range;
totals drive from the first filter's range: every plan gives exactly the matches, in order, page after page."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from app.registry.records import ArtifactRecord
from app.registry.store import listing
from app.registry.store.listing import COMMON_TAG_ROWS, EXACT_TOTAL_UP_TO, ListQuery, list_artifacts
from app.registry.store.series import parse_filter

COUNT = 2 * COMMON_TAG_ROWS


def _records():
    rng = random.Random(19)
    for i in range(COUNT):
        summary = {"served": {"points": 3, "max": float(rng.randint(0, 100)), "last": float(rng.randint(0, 5))}}
        yield ArtifactRecord(id=f"run_{i:06d}", type="run" if i % 4 else "telemetry", title=f"r{i}",
                             path=f"run_{i:06d}", created=datetime(2025, 1, 1) + timedelta(minutes=i),
                             modified=datetime(2025, 1, 1), series_summary=summary, file_names=[],
                             deleted_at=datetime(2025, 6, 1) if i % 7 == 0 else None)


def _walk_pages(ctx, **filters) -> tuple[list[str], int]:
    seen, cursor, total = [], None, None
    while True:
        with ctx.db.read() as connection:  # the store's listing: these rows have no folders to discover
            result = list_artifacts(connection, ctx.search, ctx.cache, ListQuery(limit=400, cursor=cursor, **filters),
                                    ctx.cursor_key)
        seen += result.ids
        total = result.total
        if not result.next_cursor:
            return seen, total
        cursor = result.next_cursor


CASES = (
    (["served.max>=10"], ["run"], False),
    (["served.max>95"], ["run"], False),
    (["served.last=0"], [], False),
    (["served.max>=10"], ["run"], True),  # live and deleted rows: two walks merged, two bounded counts
    (["served.max>=10", "served.last<4"], ["run"], False),  # the first drives the total, the second probes
    (["served.max>95", "served.last<=2"], [], True),
)


@pytest.mark.parametrize("walk_rows", [listing.SERIES_WALK_ROWS, 50], ids=["collected", "walked"])
def test_common_and_rare_series_filters_page_exactly(ctx, monkeypatch, walk_rows):
    monkeypatch.setattr(listing, "SERIES_WALK_ROWS", walk_rows)  # which ranges count as long enough to walk
    records = list(_records())
    with ctx.writing(bulk=True) as registry:
        registry.add_many(records)
    newest_first = sorted(records, key=lambda r: (r.created, r.id), reverse=True)
    for expressions, types, include_deleted in CASES:
        items = [parse_filter(e) for e in expressions]
        expected = [r.id for r in newest_first if (not types or r.type in types)
                    and (include_deleted or r.deleted_at is None)
                    and all(_holds(r.series_summary["served"][i.stat], i.op, i.value) for i in items)]
        got, total = _walk_pages(ctx, types=types, series=items, include_deleted=include_deleted)
        assert got == expected and total == min(len(expected), EXACT_TOTAL_UP_TO), expressions
    assert len(_walk_pages(ctx, types=["run"], series=[parse_filter("served.max>=10")])[0]) >= COMMON_TAG_ROWS


def _holds(value: float, op: str, number: float) -> bool:
    return {">": value > number, ">=": value >= number, "<": value < number, "<=": value <= number,
            "=": value == number}[op]
