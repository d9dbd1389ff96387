"""One page of a listing: keyset or offset paging over the sort indexes, totals, cursors.

Every sort key has two partial indexes: one over live rows (not deleted, not archived), which the
default listings walk, and one over retired rows (deleted or archived), which only changes when a row
is retired. A listing that includes retired rows merges a walk of each, so bulk inserts of new (live)
rows maintain one index per sort key instead of two (migration 0006).
"""

from __future__ import annotations

import base64
import json
from typing import NamedTuple

from sqlalchemy import Connection, and_, false, func, literal, or_, select, true, tuple_, union_all

from app.errors import BadRequest
from app.registry.store.tables import artifacts
from app.timefmt import parse_iso

SORT_COLUMNS = {
    "created": artifacts.c.created,
    "modified": artifacts.c.modified,
    "title": artifacts.c.title,
    "size": artifacts.c.size_bytes,
    "id": artifacts.c.id,
}
# Written as the partial indexes' WHERE clauses (migrations 0002 and 0006), so the planner matches them.
LIVE = and_(artifacts.c.deleted_at.is_(None), artifacts.c.archived == false())
RETIRED = or_(artifacts.c.deleted_at.is_not(None), artifacts.c.archived == true())


class PageKey(NamedTuple):
    """One row of a page: where it is, its id and the value it is sorted by."""

    seq: int
    id: str
    sort_value: object


def spans_retired(query) -> bool:
    """True when the listing includes deleted or archived rows (two index walks merged)."""
    return query.include_deleted or query.include_archived


def count_matches(connection: Connection, query, conditions: list) -> int:
    """The exact number of rows matching the conditions, counted over the partial indexes."""
    parts = [[*conditions, LIVE], [*conditions, RETIRED]] if spans_retired(query) else [conditions]
    return sum(connection.execute(select(func.count()).select_from(artifacts).where(*where)).scalar_one()
               for where in parts)


def page_keys(connection: Connection, query, conditions: list, key, descending: bool, ranked=None) -> list:
    """(seq, id, sort_value) of one page plus one row, read from the indexes alone where possible."""
    skip = 0 if query.cursor else query.offset
    if ranked is not None or not spans_retired(query):
        statement = _walk(query, conditions, key, descending, ranked).limit(query.limit + 1)
        return connection.execute(statement.offset(skip) if skip else statement).all()
    arms = [_walk(query, [*conditions, state], key, descending).limit(skip + query.limit + 1).subquery()
            for state in (LIVE, RETIRED)]
    merged = union_all(*(select(arm.c.seq, arm.c.id, arm.c.sort_value) for arm in arms)).subquery()
    order = [merged.c.sort_value, merged.c.id]
    statement = (select(merged.c.seq, merged.c.id, merged.c.sort_value)
                 .order_by(*[c.desc() if descending else c.asc() for c in order]).limit(query.limit + 1))
    return connection.execute(statement.offset(skip) if skip else statement).all()


def _walk(query, conditions: list, key, descending: bool, ranked=None):
    statement = select(artifacts.c.seq, artifacts.c.id, key.label("sort_value")).where(*conditions)
    if ranked is not None:
        statement = statement.join(ranked, ranked.c.rowid == artifacts.c.seq)
    if query.cursor:
        statement = statement.where(_after_cursor(query, key, descending))
    order = [key.desc(), artifacts.c.id.desc()] if descending else [key.asc(), artifacts.c.id.asc()]
    return statement.order_by(*order)


def _after_cursor(query, key, descending: bool):
    value, last_id = decode_cursor(query)
    if query.effective_sort in ("created", "modified"):
        value = parse_iso(value)
    # A row-value comparison keeps the (key, id) index usable as a range.
    if descending:
        return tuple_(key, artifacts.c.id) < tuple_(literal(value, key.type), literal(last_id))
    return tuple_(key, artifacts.c.id) > tuple_(literal(value, key.type), literal(last_id))


def next_cursor(query, row) -> str:
    """The opaque token for the page after `row` (bound to the query's filters and sort)."""
    sort = query.effective_sort
    if sort == "relevance":
        value = float(row.sort_value)
    elif sort in ("created", "modified"):
        value = row.sort_value.isoformat()
    else:
        value = row.sort_value
    payload = json.dumps({"q": query.fingerprint(), "v": value, "id": row.id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(query) -> tuple:
    """The (sort value, id) a cursor points after; 400 when it is malformed or bound to another query."""
    token = query.cursor or ""
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        value, last_id, bound = payload["v"], payload["id"], payload["q"]
        if not isinstance(last_id, str):
            raise ValueError("id")
    except (ValueError, KeyError, TypeError) as exc:
        raise BadRequest("invalid cursor", details={"cursor": "malformed token"}) from exc
    if bound != query.fingerprint():
        raise BadRequest(
            "cursor does not belong to this query", details={"cursor": "issued for different filters or sort"}
        )
    return value, last_id
