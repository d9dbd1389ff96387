"""One page of a listing: keyset or offset paging over the sort indexes, totals, cursors.

Every sort key has two partial indexes: one over live rows (not deleted, not archived), which the
default listings walk, and one over retired rows (deleted or archived), which only changes when a row
is retired. A listing that includes retired rows merges a walk of each, so bulk inserts of new (live)
rows maintain one index per sort key instead of two (migration 0006).
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Connection, and_, exists, false, func, literal, or_, select, true, tuple_, union_all

from app.registry.store import cursors
from app.registry.store.tables import artifacts

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


class CountDriver(NamedTuple):
    """Rows a bounded count walks first, each probing its artifact by rowid: `seq` is their artifact's seq."""

    table: object
    seq: object
    where: tuple


class PageKey(NamedTuple):
    """One row of a page: where it is, its id and the value it is sorted by."""

    seq: int
    id: str
    sort_value: object


def spans_retired(query) -> bool:
    """True when the listing includes deleted or archived rows (two index walks merged)."""
    return query.include_deleted or query.include_archived


def count_matches(connection: Connection, query, conditions: list, up_to: int,
                  driver: CountDriver | None = None) -> tuple[int, bool]:
    """(number of rows matching the conditions, exact): counted over the partial indexes, up to `up_to`.

    Beyond `up_to` the count stops and the result is the lower bound `up_to` (not exact), as
    Elasticsearch's `track_total_hits` does: counting every match of a common word costs more than the page.
    A `driver` is walked first, each of its rows probing its artifact by rowid: a range over an index (or a
    full-text match) stops after `up_to` matches, where `seq IN (range)` would collect the whole range first.
    """
    parts = [[*conditions, LIVE], [*conditions, RETIRED]] if spans_retired(query) else [conditions]
    total = 0
    for where in parts:
        bounded = _matches(where, driver).limit(up_to + 1 - total).subquery()
        total += connection.execute(select(func.count()).select_from(bounded)).scalar_one()
        if total > up_to:
            return up_to, False
    return total, True


def _matches(where: list, driver: CountDriver | None = None):
    if driver is None:
        return select(literal(1)).select_from(artifacts).where(*where)
    probe = exists().where(artifacts.c.seq == driver.seq, *where)
    return select(literal(1)).select_from(driver.table).where(*driver.where, probe)


def page_keys(connection: Connection, query, conditions: list, key, descending: bool, ranked=None,
              after: tuple | None = None) -> list:
    """(seq, id, sort_value) of one page plus one row after the decoded cursor `after`, from the indexes."""
    skip = 0 if after is not None else query.offset
    if ranked is not None or not spans_retired(query):
        statement = _walk(conditions, key, descending, ranked, after).limit(query.limit + 1)
        return connection.execute(statement.offset(skip) if skip else statement).all()
    arms = [_walk([*conditions, state], key, descending, after=after).limit(skip + query.limit + 1).subquery()
            for state in (LIVE, RETIRED)]
    merged = union_all(*(select(arm.c.seq, arm.c.id, arm.c.sort_value) for arm in arms)).subquery()
    order = [merged.c.sort_value, merged.c.id]
    statement = (select(merged.c.seq, merged.c.id, merged.c.sort_value)
                 .order_by(*[c.desc() if descending else c.asc() for c in order]).limit(query.limit + 1))
    return connection.execute(statement.offset(skip) if skip else statement).all()


def _walk(conditions: list, key, descending: bool, ranked=None, after: tuple | None = None):
    statement = select(artifacts.c.seq, artifacts.c.id, key.label("sort_value")).where(*conditions)
    if ranked is not None:
        statement = statement.join(ranked, ranked.c.rowid == artifacts.c.seq)
    if after is not None:
        statement = statement.where(_after_cursor(after, key, descending))
    order = [key.desc(), artifacts.c.id.desc()] if descending else [key.asc(), artifacts.c.id.asc()]
    return statement.order_by(*order)


def _after_cursor(after: tuple, key, descending: bool):
    value, last_id = after
    # A row-value comparison keeps the (key, id) index usable as a range.
    if descending:
        return tuple_(key, artifacts.c.id) < tuple_(literal(value, key.type), literal(last_id))
    return tuple_(key, artifacts.c.id) > tuple_(literal(value, key.type), literal(last_id))


def next_cursor(query, row, key: bytes, depth: int = 0) -> str:
    """The signed token for the page after `row`, `depth` rows in (bound to the query's filters and sort)."""
    sort = query.effective_sort
    if sort == "relevance":
        value = float(row.sort_value)
    elif sort in ("created", "modified"):
        value = row.sort_value.isoformat()
    else:
        value = row.sort_value
    return cursors.encode_cursor(key, query.fingerprint(), value, row.id, depth)


def decode_cursor(query, key: bytes) -> tuple:
    """(sort value, id, depth) of the query's cursor; 400 naming `cursor` unless it is ours and sound."""
    return cursors.decode_cursor(key, query.cursor, query.fingerprint(), query.effective_sort)
