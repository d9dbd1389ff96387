"""Edit history: what each commit changed of an artifact's user state, by whom (artifact_history rows)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, insert, select, tuple_

from app.registry.records import ARCHIVED_TAG, ArtifactRecord
from app.registry.store.tables import artifact_history
from app.strictjson import encode, is_text
from app.timefmt import iso, parse_iso, utcnow

# The user state a history entry reports, as it reads in the artifact JSON.
HISTORY_FIELDS = ("title", "description", "tags", "archived", "deleted", "derived_from")
ACTOR_MAX = 200


def user_state(record: ArtifactRecord) -> dict:
    """The fields of a record a user can change, as the history reports them."""
    return {"title": record.title, "description": record.description, "tags": list(record.tags),
            "archived": ARCHIVED_TAG in record.tags, "deleted": record.deleted_at is not None,
            "derived_from": list(record.user_edits.get("derived_from") or [])}


def state_changes(before: dict, after: dict) -> dict:
    """{field: {"from", "to"}} for each user-state field that differs."""
    return {name: {"from": before[name], "to": after[name]} for name in HISTORY_FIELDS if before[name] != after[name]}


def merge_changes(earlier: dict, later: dict) -> dict:
    """Two change sets of one commit as one: each field from its first `from` to its last `to`."""
    merged = {**earlier}
    for name, change in later.items():
        merged[name] = {"from": earlier[name]["from"], "to": change["to"]} if name in earlier else change
    return {name: change for name, change in merged.items() if change["from"] != change["to"]}


def write_history(connection: Connection, generation: int, actor: str,
                  pending: dict[str, dict]) -> list[tuple[str, dict]]:
    """Insert one entry per edited artifact for the commit at `generation`; returns (id, entry) pairs."""
    now = utcnow()
    at = now.replace(microsecond=now.microsecond // 1000 * 1000)  # what its ISO text gives back
    rows = [{"artifact_id": artifact_id, "generation": generation, "at": at, "actor": actor[:ACTOR_MAX],
             "changes": json.dumps(changes, ensure_ascii=False, allow_nan=False)}
            for artifact_id, changes in sorted(pending.items()) if changes]
    if rows:
        connection.execute(insert(artifact_history), rows)
    return [(row["artifact_id"], entry_of(row)) for row in rows]


def entry_of(row) -> dict:
    """A history row as the API and the snapshot give it."""
    get = row.get if isinstance(row, dict) else row._mapping.get
    return {"generation": get("generation"), "at": iso(get("at")), "actor": get("actor"),
            "changes": json.loads(get("changes"))}


def history_page(connection: Connection, artifact_id: str, before: tuple[int, datetime] | None,
                 limit: int) -> list[dict]:
    """Newest first: up to `limit` entries below the (generation, at) key `before` (None: from the newest)."""
    h = artifact_history.c
    statement = select(artifact_history).where(h.artifact_id == artifact_id)
    if before is not None:
        statement = statement.where(tuple_(h.generation, h.at) < tuple_(*before))
    statement = statement.order_by(h.generation.desc(), h.at.desc()).limit(limit)
    return [entry_of(row) for row in connection.execute(statement)]


def all_history(connection: Connection, ids: Iterable[str] | None = None) -> dict[str, list[dict]]:
    """Every entry by artifact id, oldest first (all artifacts, or the given ones, looked up 500 at a time)."""
    statement = select(artifact_history).order_by(artifact_history.c.artifact_id, artifact_history.c.generation,
                                                  artifact_history.c.at)
    wanted = None if ids is None else list(ids)
    found: dict[str, list[dict]] = {}
    for start in range(0, 1 if wanted is None else len(wanted), 500):
        chunk = statement if wanted is None else statement.where(
            artifact_history.c.artifact_id.in_(wanted[start:start + 500]))
        for row in connection.execute(chunk):
            found.setdefault(row.artifact_id, []).append(entry_of(row))
    return found


def with_history(document: str, entries: list[dict] | None) -> str:
    """An artifact's JSON text with its edit history spliced in: the snapshot keeps it with the artifact."""
    if not entries:
        return document
    return document[:-1] + ', "history": ' + json.dumps(entries, ensure_ascii=False) + "}"


def restore_history(connection: Connection, artifact_id: str, entries: object) -> int:
    """Insert the well-formed entries of a snapshot or journal the database lacks; returns how many."""
    rows = {}
    for entry in entries if isinstance(entries, list) else []:
        row = _row_of(artifact_id, entry)
        if row is not None:
            rows[(row["generation"], row["at"])] = row
    if not rows:
        return 0
    held = {tuple(row) for row in connection.execute(select(artifact_history.c.generation, artifact_history.c.at)
                                                     .where(artifact_history.c.artifact_id == artifact_id))}
    rows = {key: row for key, row in rows.items() if key not in held}
    if rows:
        connection.execute(insert(artifact_history), list(rows.values()))
    return len(rows)


def _row_of(artifact_id: str, entry: object) -> dict | None:
    """The artifact_history row of a stored entry, or None when it is not one (never an exception)."""
    if not isinstance(entry, dict):
        return None
    generation, at, actor = entry.get("generation"), entry.get("at"), entry.get("actor")
    if not (isinstance(generation, int) and not isinstance(generation, bool) and 0 < generation < 2**62
            and isinstance(actor, str) and is_text(actor) and isinstance(entry.get("changes"), dict)):
        return None
    when = parse_iso(at)
    try:
        changes = encode(entry["changes"])
    except (ValueError, TypeError):  # NotStrictJSON is a ValueError
        return None
    if when is None:
        return None
    return {"artifact_id": artifact_id, "generation": generation, "at": when, "actor": actor[:ACTOR_MAX],
            "changes": changes}
