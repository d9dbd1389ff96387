"""Best-first search pages from one bounded window ranked inside the full-text index (no keyset walk)."""

from __future__ import annotations

from functools import partial

from sqlalchemy import Connection, and_, false, func, select, true

from app.registry.store.pages import PageKey
from app.registry.store.search import SearchIndex, SearchMatch
from app.registry.store.tables import artifacts

# The largest ranked window fetched from the full-text index and cached; a page it cannot
# settle exactly (ties at its edge, a deep offset or cursor) is read by the (rank, id) keyset walk instead.
MAX_WINDOW = 4096


def best_matches(connection: Connection, search: SearchIndex, match: SearchMatch, page: tuple[int, int],
                 filters: list, cached, after: tuple | None, depth: int, narrowed: bool = False,
                 newer_than: int | None = None):
    """Best-first page of a search from one bounded window ranked inside the index (snippets where it has them),
    then filtered; (None, None) when that window cannot settle the page exactly in (rank, id) order.

    `narrowed` (a filter beyond the deleted/archived states) starts at the largest window: a type or tag keeps
    a fraction of the matches, and the index ranks every match whatever the window, so one pass costs less
    than a small window and a retry. `newer_than` bounds the ranked word matches (`rank_floor`)."""
    limit, offset = page
    need = limit + 1 + (0 if after is not None else offset)
    window = max(2 * (limit + 1 + depth), 64)  # a cursor page reaches as deep as the rows before it
    if window > MAX_WINDOW:
        return None, None
    if narrowed:
        window = MAX_WINDOW
    # The index ranks every match whatever the window, so a window too small for the filters or cut inside
    # a run of tied ranks is retried once at the largest size before the page falls back to the keyset walk.
    ranked = partial(_window_page, connection, search, match, page, filters, cached, after, need, newer_than)
    found = ranked(window)
    if found[0] is None and window < MAX_WINDOW:
        found = ranked(MAX_WINDOW)
    return found


def _window_page(connection: Connection, search: SearchIndex, match: SearchMatch, page: tuple[int, int],
                 filters: list, cached, after: tuple | None, need: int, newer_than: int | None, window: int):
    top = cached(("top", match, window, newer_than), lambda: search.top(connection, match, window, newer_than))
    rows: list[tuple] = []
    examined, chunk = 0, max(2 * need, 64)
    while True:  # the window's rows in rank order, a growing chunk at a time, until the page is settled
        rows += _allowed(connection, top[examined:examined + chunk], filters)
        examined, chunk = examined + chunk, chunk * 2
        ordered = sorted(rows)
        if after is not None:
            ordered = [r for r in ordered if (r[0], r[1]) > (after[0], after[1])]
        # Every match ranked strictly better than the first one not looked at is in `ordered`; at that edge,
        # ties may continue (their order is by id, which the index does not give).
        edge = top[examined][1] if examined < len(top) else top[-1][1] if len(top) == window else None
        if edge is None or (len(ordered) >= need and ordered[need - 1][0] < edge):
            break
        if examined >= len(top):
            return None, None
    limit, offset = page
    chosen = (ordered if after is not None else ordered[offset:])[: limit + 1]
    return [PageKey(seq, artifact_id, rank) for rank, artifact_id, seq, _ in chosen], {r[2]: r[3] for r in chosen}


def _allowed(connection: Connection, part: list, filters: list) -> list[tuple]:
    """(rank, id, seq, snippet) of the window rows that pass the filters."""
    if not part:
        return []
    # Rowid look-ups only: the filters sit inside a function, so no index of theirs is taken for the look-up
    # (the bounded ANALYZE's statistics take a type to select about 1,000 rows, and SQLite walked every run
    # through that index to check a few hundred rowids: 170 ms instead of 1).
    passes = func.coalesce(and_(*filters), false()) if filters else true()
    allowed = dict(connection.execute(
        select(artifacts.c.seq, artifacts.c.id).where(artifacts.c.seq.in_([t[0] for t in part]), passes)).all())
    return [(rank, allowed[seq], seq, snippet) for seq, rank, snippet in part if seq in allowed]
