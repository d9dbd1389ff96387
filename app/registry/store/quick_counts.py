"""Totals and facets a listing can read from the kept counts (app.registry.store.counters) instead of scanning.

They answer a listing with no search and at most one filter dimension among type, source and one tag
(type with one tag reads the type+tag pairs); anything else returns None and is counted from the rows.
"""

from __future__ import annotations

from sqlalchemy import Connection

from app.registry.store import counters
from app.registry.store.counters import PAIR, counted

_OTHER_FILTERS = ("capabilities", "created_after", "created_before", "min_size", "max_size", "template_id",
                  "model_id", "related_to", "search", "duplicates", "duplicate_of", "verified", "series")


def _dimensions(query) -> dict[str, list[str]] | None:
    """The query's filters as {facet: values}, or None when the counts cannot answer it."""
    if any(getattr(query, name) not in (None, [], "") for name in _OTHER_FILTERS) or len(query.tags) > 1:
        return None
    if (query.sort or "").startswith("series:"):  # lists only the artifacts that have that series
        return None
    dims = {"type": query.types, "source": query.sources, "tag": query.tags}
    return {facet: values for facet, values in dims.items() if values}


def _states(query) -> tuple[str, ...]:
    return counters.visible_states(query.include_deleted, query.include_archived)


def counted_total(connection: Connection, query) -> int | None:
    """The exact number of matches from the counts, or None."""
    dims = _dimensions(query)
    if dims is None or len(dims) > 2 or (len(dims) == 2 and set(dims) != {"type", "tag"}):
        return None
    if len(dims) == 2:
        values = [f"{kind}{PAIR}{dims['tag'][0]}" for kind in dims["type"]]
        return sum(counted(connection, "type+tag", values, _states(query)).values())
    facet, values = next(iter(dims.items()), ("*", [""]))
    return sum(counted(connection, facet, list(values), _states(query)).values())


def counted_facet(connection: Connection, query, name: str) -> dict[str, int] | None:
    """{value: count} of one facet (`type`, `source` or `tags`) under the query's filters, or None."""
    dims = _dimensions(query)
    facet = "tag" if name == "tags" else name
    if dims is None or facet not in ("type", "source", "tag"):
        return None
    states = _states(query)
    if not dims or (set(dims) == {facet} and facet != "tag"):  # other tags of tagged rows need the rows
        return counted(connection, facet, dims.get(facet), states)
    if set(dims) == {"type"} and facet == "tag":
        pairs = counted(connection, "type+tag", None, states)
        found: dict[str, int] = {}
        for value, n in pairs.items():
            kind, tag = value.split(PAIR, 1)
            if kind in dims["type"]:
                found[tag] = found.get(tag, 0) + n
        return found
    if set(dims) == {"tag"} and facet == "type":
        tag = dims["tag"][0]
        return {value.split(PAIR, 1)[0]: n
                for value, n in counted(connection, "type+tag", None, states, suffix=f"{PAIR}{tag}").items()}
    return None
