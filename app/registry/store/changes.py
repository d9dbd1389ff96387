"""The changes feed: one artifact_changes row per (commit, artifact), a window of recent generations.

`changes_floor` (registry_state) is the generation from which every change is kept: a follower whose
`since` is older missed changes and lists again (410). A bulk commit (rescans, imports, rebuilds)
raises the floor instead of writing thousands of rows.
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, delete, insert, or_, select

from app.registry.store.tables import artifact_changes, artifacts
from app.timefmt import utcnow

EVENTS = ("created", "updated", "deleted", "restored", "archived")
ITEMISED_UP_TO = 1000  # artifacts one commit may touch and still be itemised in the feed
PRUNE_EVERY = 256  # generations between two prunes of the window


def event_of(before: dict | None, after: dict | None) -> str:
    """What a change did to an artifact, from its user state before and after (None: no row)."""
    if before is None:
        return "created" if after is not None else "deleted"
    if after is None or (after["deleted"] and not before["deleted"]):
        return "deleted"
    if before["deleted"] and not after["deleted"]:
        return "restored"
    if after["archived"] and not before["archived"]:
        return "archived"
    return "updated"


def record_changes(connection: Connection, state, generation: int, events: dict[str, str], keep: int) -> None:
    """Write one commit's events (or raise the floor past a bulk commit) and prune the window now and then."""
    if len(events) > ITEMISED_UP_TO:
        state.set_state("changes_floor", str(generation))
    elif events:
        at = utcnow()
        connection.execute(insert(artifact_changes), [
            {"generation": generation, "artifact_id": artifact_id, "event": event, "at": at}
            for artifact_id, event in sorted(events.items())])
    if generation % PRUNE_EVERY == 0 and generation > keep:
        oldest_kept = generation - keep
        connection.execute(delete(artifact_changes).where(artifact_changes.c.generation <= oldest_kept))
        if floor(state) < oldest_kept:
            state.set_state("changes_floor", str(oldest_kept))


def floor(state) -> int:
    """The generation from which every change is kept (older `since` values are a 410)."""
    return int(state.state("changes_floor") or 0)


def changes_after(connection: Connection, since: int, limit: int, conditions: list | None,
                  until: int | None = None) -> list[dict]:
    """Changes with a generation above `since` (and at most `until`), oldest first; `conditions` filter on the
    artifact's row.

    An artifact purged since has no row to filter on: its `deleted` change matches every filter.
    """
    c = artifact_changes.c
    statement = select(c.generation, c.artifact_id, c.event, c.at).where(c.generation > since)
    if until is not None:
        statement = statement.where(c.generation <= until)
    if conditions:
        statement = statement.outerjoin(artifacts, artifacts.c.id == c.artifact_id).where(
            or_(artifacts.c.seq.is_(None), and_(*conditions)))
    statement = statement.order_by(c.generation, c.artifact_id).limit(limit)
    return [{"generation": r.generation, "id": r.artifact_id, "event": r.event, "at": r.at}
            for r in connection.execute(statement)]
