"""Whole-registry counts for the stats use case (from the counts kept in every write)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from app.registry.store.counters import counted
from app.registry.store.tables import artifacts, registry_state, skipped_folders
from app.timefmt import iso

TOP_TAGS = 20


def registry_counts(connection: Connection) -> dict:
    """Counts by type, source and tag, sizes (from the kept counts) and the date range of live artifacts."""
    c = artifacts.c
    live = ("live", "archived")
    oldest, newest = connection.execute(select(func.min(c.created), func.max(c.created)).where(c.deleted_at.is_(None))).one()
    top_tags = sorted(counted(connection, "tag", None, live).items(), key=lambda item: (-item[1], item[0]))[:TOP_TAGS]
    skipped = connection.execute(select(func.count()).select_from(skipped_folders)).scalar_one()
    alive = c.deleted_at.is_(None)
    duplicates = connection.execute(select(func.count()).where(alive, c.duplicate_of.is_not(None))).scalar_one()
    verdicts = dict(connection.execute(
        select(c.verified, func.count()).where(alive, c.verified.is_not(None)).group_by(c.verified)).all())
    return {
        "total": sum(counted(connection, "*", [""], live).values()),
        "deleted": sum(counted(connection, "*", [""], ("deleted", "deleted-archived")).values()),
        "archived": sum(counted(connection, "*", [""], ("archived",)).values()),
        "by_type": counted(connection, "type", None, live),
        "by_source": counted(connection, "source", None, live),
        "total_size_bytes": sum(counted(connection, "bytes", [""], live).values()),
        "top_tags": [{"tag": tag, "count": n} for tag, n in top_tags],
        "created": {"oldest": iso(oldest), "newest": iso(newest)},
        "skipped": skipped,
        "duplicates": duplicates,
        "verified": {"reproducible": verdicts.get(True, 0), "not_reproducible": verdicts.get(False, 0)},
    }


def state_values(connection: Connection) -> dict:
    """Every registry_state value by key."""
    return dict(connection.execute(select(registry_state.c.key, registry_state.c.value)).all())
