"""Following the registry: an artifact's edit history, and the changes feed since a generation."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import Gone
from app.registry.context import RegistryContext
from app.registry.service import require_artifact
from app.registry.store.changes import ITEMISED_UP_TO, changes_after, floor
from app.registry.store.history import history_page
from app.registry.store.listing import ListQuery, filter_conditions
from app.registry.store.tables import artifacts
from app.registry.sync.discovery import discover
from app.timefmt import iso


@dataclass
class ChangesPage:
    """Changes after `since`, oldest first, and the generation to follow on from."""

    changes: list[dict]
    last_generation: int


def artifact_history(ctx: RegistryContext, artifact_id: str, limit: int, before: tuple | None) -> dict:
    """An artifact's edits, newest first; `before` is the previous page's `next_cursor`."""
    with ctx.reading() as registry:
        require_artifact(registry, artifact_id)
        entries = history_page(registry.connection, artifact_id, before, limit + 1)
    more = len(entries) > limit
    entries = entries[:limit]
    return {"artifact_id": artifact_id, "history": entries,
            "next_cursor": f"{entries[-1]['generation']}:{entries[-1]['at']}" if more else None}


def changes_since(ctx: RegistryContext, since: int, limit: int, query: ListQuery) -> ChangesPage:
    """What changed after generation `since` (410 when the feed no longer reaches back that far)."""
    discover(ctx)
    with ctx.reading() as registry:
        current, oldest = registry.generation(), floor(registry)
        if since < oldest or since > current:
            raise _gone(since, oldest, current)
        conditions = _conditions(ctx, query)
        rows = changes_after(registry.connection, since, limit, conditions)
        full = len(rows) == limit
        if full:
            rows = _whole_generations(registry.connection, rows, conditions)
    # A short page has seen everything up to now (rows read after `current` may be later still).
    last = rows[-1]["generation"] if full else max([current, *(r["generation"] for r in rows[-1:])])
    return ChangesPage([{**row, "at": iso(row["at"])} for row in rows], last)


def _whole_generations(connection, rows: list[dict], conditions: list | None) -> list[dict]:
    """A full page ends with a whole commit: its last generation is dropped, or read whole if it is all there is."""
    last = rows[-1]["generation"]
    earlier = [row for row in rows if row["generation"] != last]
    if earlier:
        return earlier
    return changes_after(connection, last - 1, ITEMISED_UP_TO, conditions, until=last)


def _conditions(ctx: RegistryContext, query: ListQuery) -> list | None:
    """The list filters (type, tags, search) over the artifacts row; None when the feed is unfiltered."""
    if not (query.types or query.tags or query.search):
        return None
    conditions = filter_conditions(ListQuery(types=query.types, tags=query.tags, tag_mode=query.tag_mode,
                                             include_deleted=True, include_archived=True))
    if query.search:
        match = ctx.search.compile(query.search)
        conditions.append(artifacts.c.seq.in_(ctx.search.matching(match)) if match is not None else artifacts.c.seq < 0)
    return conditions


def _gone(since: int, oldest: int, current: int) -> Gone:
    where = "ahead of this registry's" if since > current else "older than the oldest change kept, generation"
    edge = current if since > current else oldest
    return Gone(f"since={since} is {where} {edge}: list again and follow from the list's X-Registry-Generation",
                details={"since": [f"from {oldest} to {current}"]}, headers={"X-Registry-Oldest-Generation": str(oldest)})
