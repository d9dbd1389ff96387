"""Registry statistics (GET /v1/artifacts/stats, `flask registry stats`)."""

from __future__ import annotations

from sqlalchemy import false, func, select

from app.registry.context import RegistryContext
from app.registry.discovery import discover
from app.registry.query import cached
from app.registry.records import iso
from app.registry.repository import SqlRegistry
from app.registry.tables import artifact_tags, artifacts, registry_state, skipped_folders

TOP_TAGS = 20


def registry_stats(ctx: RegistryContext) -> dict:
    """Counts by type, source and tag, sizes, date range, skipped folders and mirror state."""
    discover(ctx)
    with ctx.db.read() as connection:
        snapshot = (str(connection.engine.url), *SqlRegistry(connection).snapshot())
        counts = cached(snapshot, ("stats",), lambda: _counts(connection))
        state = _state(connection)  # the mirror's progress is not part of the snapshot: read it fresh
    return {**counts, "index": {
        "generation": int(state.get("mirror_generation", 0)),
        "database_generation": int(state.get("generation", 0)),
        "updated": state.get("mirror_updated"),
        "artifact_count": counts["total"] + counts["deleted"],
    }}


def _counts(connection) -> dict:
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
    }


def _state(connection) -> dict:
    return dict(connection.execute(select(registry_state.c.key, registry_state.c.value)).all())
