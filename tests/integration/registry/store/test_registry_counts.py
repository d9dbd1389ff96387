"""The stats' date range and duplicate count, read from index ends and ranges, match a count over every row."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from app.registry.records import ARCHIVED_TAG, ArtifactRecord
from app.registry.store.counts import registry_counts
from app.timefmt import iso

STATES = ("live", "archived", "deleted", "deleted-archived")


def _records(rng: random.Random) -> list[ArtifactRecord]:
    records = []
    for i in range(rng.randint(0, 12)):
        state = rng.choice(STATES)
        records.append(ArtifactRecord(
            id=f"run_{i:04d}", type="run", title=f"r{i}", path=f"run_{i:04d}", file_names=[],
            created=datetime(2025, 1, 1) + timedelta(days=rng.randint(0, 400)), modified=datetime(2025, 1, 1),
            tags=[ARCHIVED_TAG] if "archived" in state else [],
            deleted_at=datetime(2026, 1, 1) if state.startswith("deleted") else None,
            duplicate_of="run_0000" if i and rng.random() < 0.4 else None))
    return records


@pytest.mark.parametrize("seed", range(25))
def test_created_range_and_duplicates_match_every_row(ctx, seed):
    records = _records(random.Random(seed))
    with ctx.writing(bulk=True) as registry:
        registry.clear_all()
        registry.add_many(records)
    with ctx.db.read() as connection:
        counts = registry_counts(connection)
    kept = [r for r in records if r.deleted_at is None]
    assert counts["created"] == {"oldest": iso(min((r.created for r in kept), default=None)),
                                 "newest": iso(max((r.created for r in kept), default=None))}
    assert counts["duplicates"] == sum(1 for r in kept if r.duplicate_of)
