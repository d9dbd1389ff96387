"""Counts kept in the write transaction: totals and one-dimension facets without a scan.

`artifact_counts(facet, value, state, n)`: for each state (`live`, `archived`, `deleted`,
`deleted-archived`) the number of
artifacts overall (`*`), per type, per source, per tag and per (type, tag) pair, and their bytes
(`bytes`). Every insert, update and removal of a row goes through ArtifactRepository, which applies
the difference here in the same transaction, so the counts are exact at every snapshot.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import Connection, select, text

from app.registry.store.tables import artifact_counts, artifacts

STATES = ("live", "archived", "deleted", "deleted-archived")
PAIR = "\x1f"  # separates type and tag in a type+tag value
_UPSERT = text("INSERT INTO artifact_counts (facet, value, state, n) VALUES (:facet, :value, :state, :n) "
               "ON CONFLICT (facet, value, state) DO UPDATE SET n = artifact_counts.n + excluded.n")


def row_state(deleted_at, archived) -> str:
    """The counting state of a row (the two visibility flags of a listing, crossed)."""
    if deleted_at is not None:
        return "deleted-archived" if archived else "deleted"
    return "archived" if archived else "live"


def visible_states(include_deleted: bool, include_archived: bool) -> tuple[str, ...]:
    """The states a listing with these flags shows."""
    return tuple(s for s in STATES if (include_deleted or not s.startswith("deleted"))
                 and (include_archived or not s.endswith("archived")))


def row_keys(kind: str, source: str, state: str, tags: Iterable[str], size: int) -> Counter:
    """The (facet, value, state) counts one row contributes."""
    keys: Counter = Counter({("*", "", state): 1, ("type", kind, state): 1, ("source", source, state): 1,
                             ("bytes", "", state): int(size or 0)})
    for tag in dict.fromkeys(tags):
        keys[("tag", tag, state)] += 1
        keys[("type+tag", f"{kind}{PAIR}{tag}", state)] += 1
    return keys


def values_keys(values: dict) -> Counter:
    """row_keys of an artifacts row given as its insert values (see rows.row_values)."""
    return row_keys(values["type"], values["source"], row_state(values["deleted_at"], values["archived"]),
                    json.loads(values["tags_json"]), values["size_bytes"])


def stored_keys(connection: Connection, ids: list[str]) -> Counter:
    """What the stored rows of `ids` contribute now (before they are changed or removed)."""
    c = artifacts.c
    total: Counter = Counter()
    for start in range(0, len(ids), 500):
        rows = connection.execute(select(c.type, c.source, c.deleted_at, c.archived, c.tags_json, c.size_bytes)
                                  .where(c.id.in_(ids[start:start + 500])))
        for row in rows:
            total.update(row_keys(row.type, row.source, row_state(row.deleted_at, row.archived),
                                  json.loads(row.tags_json or "[]"), row.size_bytes))
    return total


def apply(connection: Connection, added: Counter, removed: Counter | None = None) -> None:
    """Add `added` and subtract `removed` (both keyed by (facet, value, state))."""
    delta = Counter(added)
    delta.subtract(removed or Counter())
    changes = [{"facet": f, "value": v, "state": s, "n": n} for (f, v, s), n in delta.items() if n]
    if changes:
        connection.execute(_UPSERT, changes)


def counted(connection: Connection, facet: str, values: list[str] | None, states: tuple[str, ...],
            suffix: str | None = None) -> dict[str, int]:
    """n per value of one facet (all its values when `values` is None, or those ending in `suffix`), over `states`."""
    c = artifact_counts.c
    statement = select(c.value, c.n).where(c.facet == facet, c.state.in_(states), c.n != 0)
    if values is not None:
        statement = statement.where(c.value.in_(values))
    if suffix is not None:
        statement = statement.where(c.value.endswith(suffix, autoescape=True))
    found: Counter = Counter()
    for value, n in connection.execute(statement):
        found[value] += n
    return dict(found)
