"""Which artifacts' snapshot documents each commit changed: what a patch of registry-index.json rewrites."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, delete, insert, select

from app.registry.store.tables import snapshot_rewrites

# A commit rewriting more documents than this (a rescan, an import) is not itemised: the next snapshot is a
# full export, which costs about as much as merging that many documents into the old one.
ITEMISED_UP_TO = 10_000
FLOOR_KEY = "rewrites_floor"


def record_rewrites(connection: Connection, state, generation: int, ids: Iterable[str], bulk: bool) -> None:
    """Keep the ids one commit rewrote (or, for a bulk commit, raise the floor past it)."""
    ids = sorted(set(ids))
    if bulk or len(ids) > ITEMISED_UP_TO:
        state.set_state(FLOOR_KEY, str(generation))
    elif ids:
        connection.execute(insert(snapshot_rewrites),
                           [{"generation": generation, "artifact_id": artifact_id} for artifact_id in ids])


def rewritten_since(connection: Connection, state, generation: int, most: int) -> set[str] | None:
    """The ids rewritten after `generation`; None when a commit since was not itemised or there are over `most`."""
    if int(state.state(FLOOR_KEY) or 0) > generation:
        return None
    c = snapshot_rewrites.c
    ids = set(connection.execute(
        select(c.artifact_id).where(c.generation > generation).distinct().limit(most + 1)).scalars())
    return None if len(ids) > most else ids


def forget_rewrites(connection: Connection, up_to: int) -> None:
    """Drop what a snapshot at generation `up_to` now holds."""
    connection.execute(delete(snapshot_rewrites).where(snapshot_rewrites.c.generation <= up_to))
