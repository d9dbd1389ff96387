"""Whole-registry counts for the stats use case."""

from __future__ import annotations

from sqlalchemy import Connection, false, func, select

from app.registry.store.tables import artifact_tags, artifacts, registry_state, skipped_folders
from app.timefmt import iso

TOP_TAGS = 20


def registry_counts(connection: Connection) -> dict:
    """Counts by type, source and tag, sizes and the date range of live artifacts."""
    c = artifacts.c
    live = c.deleted_at.is_(None)
    total, size, oldest, newest = connection.execute(
        select(func.count(), func.coalesce(func.sum(c.size_bytes), 0), func.min(c.created), func.max(c.created))
        .where(live)
    ).one()
    deleted = connection.execute(select(func.count()).where(c.deleted_at.is_not(None))).scalar_one()
    archived = connection.execute(select(func.count()).where(live, c.archived != false())).scalar_one()
    by_type = dict(connection.execute(select(c.type, func.count()).where(live).group_by(c.type)).all())
    by_source = dict(connection.execute(select(c.source, func.count()).where(live).group_by(c.source)).all())
    top_tags = connection.execute(
        select(artifact_tags.c.tag, func.count().label("n"))
        .join(artifacts, artifacts.c.seq == artifact_tags.c.artifact_seq)
        .where(live).group_by(artifact_tags.c.tag)
        .order_by(func.count().desc(), artifact_tags.c.tag).limit(TOP_TAGS)
    ).all()
    skipped = connection.execute(select(func.count()).select_from(skipped_folders)).scalar_one()
    duplicates = connection.execute(select(func.count()).where(live, c.duplicate_of.is_not(None))).scalar_one()
    verdicts = dict(connection.execute(
        select(c.verified, func.count()).where(live, c.verified.is_not(None)).group_by(c.verified)).all())
    return {
        "total": total,
        "deleted": deleted,
        "archived": archived,
        "by_type": by_type,
        "by_source": by_source,
        "total_size_bytes": int(size),
        "top_tags": [{"tag": tag, "count": n} for tag, n in top_tags],
        "created": {"oldest": iso(oldest), "newest": iso(newest)},
        "skipped": skipped,
        "duplicates": duplicates,
        "verified": {"reproducible": verdicts.get(True, 0), "not_reproducible": verdicts.get(False, 0)},
    }


def state_values(connection: Connection) -> dict:
    """Every registry_state value by key."""
    return dict(connection.execute(select(registry_state.c.key, registry_state.c.value)).all())
