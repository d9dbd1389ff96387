"""Registry statistics (GET /v1/artifacts/stats, `flask registry stats`)."""

from __future__ import annotations

from app.registry.context import RegistryContext
from app.registry.store.counts import registry_counts, state_values
from app.registry.store.repository import ArtifactRepository
from app.registry.sync.discovery import discover


def registry_stats(ctx: RegistryContext) -> dict:
    """Counts by type, source and tag, sizes, date range, skipped folders and mirror state."""
    discover(ctx)
    with ctx.db.read() as connection:
        snapshot = ArtifactRepository(connection).snapshot()
        counts = ctx.cache.get(snapshot, ("stats",), lambda: registry_counts(connection))
        state = state_values(connection)  # the mirror's progress is not part of the snapshot: read it fresh
    return {**counts, "index": {
        "generation": int(state.get("mirror_generation", 0)),
        "database_generation": int(state.get("generation", 0)),
        "updated": state.get("mirror_updated"),
        "artifact_count": counts["total"] + counts["deleted"],
    }}
