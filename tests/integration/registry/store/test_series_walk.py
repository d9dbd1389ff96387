"""Series filters matching many artifacts walk the sort index (EXISTS per row); few come from the stats range:
both give exactly the matches, in order, page after page."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from app.registry.records import ArtifactRecord
from app.registry.store.listing import COMMON_TAG_ROWS, EXACT_TOTAL_UP_TO, ListQuery, list_artifacts
from app.registry.store.series import parse_filter

COUNT = 2 * COMMON_TAG_ROWS


def _records():
    rng = random.Random(19)
    for i in range(COUNT):
        summary = {"served": {"points": 3, "max": float(rng.randint(0, 100)), "last": float(rng.randint(0, 5))}}
        yield ArtifactRecord(id=f"run_{i:06d}", type="run" if i % 4 else "telemetry", title=f"r{i}",
                             path=f"run_{i:06d}", created=datetime(2025, 1, 1) + timedelta(minutes=i),
                             modified=datetime(2025, 1, 1), series_summary=summary, file_names=[])


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


def test_common_and_rare_series_filters_page_exactly(ctx):
    records = list(_records())
    with ctx.writing(bulk=True) as registry:
        registry.add_many(records)
    newest_first = sorted(records, key=lambda r: (r.created, r.id), reverse=True)
    for expression, types in (("served.max>=10", ["run"]), ("served.max>95", ["run"]), ("served.last=0", [])):
        item = parse_filter(expression)
        expected = [r.id for r in newest_first if (not types or r.type in types)
                    and _holds(r.series_summary["served"][item.stat], item.op, item.value)]
        got, total = _walk_pages(ctx, types=types, series=[item])
        assert got == expected and total == min(len(expected), EXACT_TOTAL_UP_TO), expression
    assert len(_walk_pages(ctx, types=["run"], series=[parse_filter("served.max>=10")])[0]) >= COMMON_TAG_ROWS


def _holds(value: float, op: str, number: float) -> bool:
    return {">": value > number, ">=": value >= number, "<": value < number, "<=": value <= number,
            "=": value == number}[op]
