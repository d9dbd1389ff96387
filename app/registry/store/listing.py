"""Listing queries: filters, full-text search, sorting with an id tie-breaker, keyset cursors, facets."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from functools import partial

from sqlalchemy import Connection, exists, false, select, union

from app.errors import BadRequest
from app.registry.records import record_from_json
from app.registry.store.best_matches import best_matches
from app.registry.store.cache import SnapshotCache
from app.registry.store.facets import facet_counts, newest_matches
from app.registry.store.pages import (
    SORT_COLUMNS,
    CountDriver,
    PageKey,
    count_matches,
    decode_cursor,
    next_cursor,
    page_keys,
)
from app.registry.store.quick_counts import counted_total
from app.registry.store.repository import ArtifactRepository
from app.registry.store.search import SearchIndex
from app.registry.store.series import (
    SeriesFilter,
    filter_condition,
    parse_sort,
    range_at_least,
    sort_key,
    stats_range,
)
from app.registry.store.tables import artifact_tags, artifacts, relationships

# Relevance pages by offset go this deep at most (a 400 beyond; cursors page on without a limit).
MAX_RELEVANCE_OFFSET = 10_000
# From this many matches on, tag and series filters walk the sort index instead of collecting and sorting rows.
COMMON_TAG_ROWS = 1000
# ...series filters only when each one's range is this long too: a page of a filter matching 0.5% of 1M rows
# walks 10,000 index rows to find its 51, where collecting 5,000 matches and sorting them costs less.
SERIES_WALK_ROWS = 5_000
# Totals the kept counts cannot answer are counted exactly up to this many matches, then reported as a
# lower bound (`total_exact: false`).
EXACT_TOTAL_UP_TO = 1_000
# A search whose words match more artifacts than this ranks the newest this many word matches by relevance,
# the older ones following newest first (`ranking_sample`): bm25 costs every match, 0.8 s for a common word at
# 1M, and a common word's best matches are better found by adding a word or a filter than by ranking 300,000.
RANKED_NEWEST = 10_000


@dataclass
class ListQuery:
    """A parsed GET /v1/artifacts request."""

    types: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    tag_mode: str = "all"
    sources: list[str] = field(default_factory=list)
    capabilities: list[str] = field(default_factory=list)
    created_after: datetime | None = None
    created_before: datetime | None = None
    min_size: int | None = None
    max_size: int | None = None
    template_id: str | None = None
    model_id: str | None = None
    related_to: str | None = None
    include_deleted: bool = False
    include_archived: bool = False
    search: str | None = None
    sort: str | None = None
    order: str | None = None
    limit: int = 50
    offset: int = 0
    cursor: str | None = None
    facets: list[str] = field(default_factory=list)
    duplicates: str | None = None  # "hide": one run per scenario hash; "only": the later copies
    duplicate_of: str | None = None  # the later copies of one run (its duplicate group)
    verified: bool | None = None
    series: list[SeriesFilter] = field(default_factory=list)

    @property
    def effective_sort(self) -> str:
        return self.sort or ("relevance" if self.search else "created")

    @property
    def effective_order(self) -> str:
        return self.order or ("asc" if self.effective_sort in ("title", "id") else "desc")

    def filter_key(self) -> str:
        """Hash of the filters and search (what decides the set of matches and their total)."""
        unbound = ("limit", "offset", "cursor", "facets", "sort", "order")
        bound = {k: v for k, v in asdict(self).items() if k not in unbound}
        if parse_sort(self.effective_sort):  # sorting by a series keeps only the artifacts that have it
            bound["sort"] = self.effective_sort
        return hashlib.sha256(json.dumps(bound, default=str, sort_keys=True).encode()).hexdigest()[:16]

    def fingerprint(self) -> str:
        """What a cursor is bound to: the filters and the sort (not the page size)."""
        return f"{self.filter_key()}:{self.effective_sort}:{self.effective_order}"


@dataclass
class ListResult:
    """One page of artifacts (as their JSON documents) plus totals and the next keyset cursor."""

    ids: list[str]
    documents: list[str]
    total: int
    next_cursor: str | None
    total_exact: bool = True
    scores: dict[str, float] = field(default_factory=dict)
    snippets: dict[str, str] = field(default_factory=dict)
    facets: dict[str, list[dict]] | None = None
    generation: int = 0  # the registry generation the page reflects (follow on with GET /v1/changes?since=)
    ranking_sample: int | None = None  # relevance scored only this many (the newest) word matches; None: all
    facets_sample: int | None = None  # facet counts cover only this many (the newest) matches; None: all

    @property
    def records(self) -> list:
        """The page as records (parsed from the documents; the API serves the documents directly)."""
        return [record_from_json(json.loads(doc)) for doc in self.documents]


def list_artifacts(connection: Connection, search: SearchIndex, cache: SnapshotCache, query: ListQuery,
                   cursor_key: bytes) -> ListResult:
    """Run a listing query: one page, the total of all matches and (optionally) facets."""
    snapshot = ArtifactRepository(connection).snapshot()
    match = search.compile(query.search) if query.search else None
    if query.search and match is None:
        return ListResult([], [], 0, None, facets={f: [] for f in query.facets} if query.facets else None,
                          generation=snapshot.generation)
    if query.effective_sort == "relevance" and match is None:
        raise BadRequest("sort=relevance needs a search", details={"sort": ["relevance requires search"]})
    if query.effective_sort == "relevance" and not query.cursor and query.offset > MAX_RELEVANCE_OFFSET:
        raise BadRequest(f"offset {query.offset} is beyond {MAX_RELEVANCE_OFFSET}, the deepest offset for "
                         "sort=relevance; page on with cursor (next_cursor)",
                         details={"offset": [f"at most {MAX_RELEVANCE_OFFSET} with sort=relevance; use cursor"]})
    after, depth = None, query.offset
    if query.cursor:
        *after, depth = decode_cursor(query, cursor_key)
        after = tuple(after)
    filters = filter_conditions(query)
    conditions = [*filters, artifacts.c.seq.in_(search.matching(match))] if match else filters
    words = search.count_driver(match) if match else None
    drivers = [d for d in (words, search.infix_count_driver(match)) if d is not None] if words is not None else []
    total, total_exact = cache.get(snapshot, ("total", query.filter_key()),
                                   lambda: _total(connection, query, filters, conditions, drivers))
    snippets = keys = floor = None
    if query.effective_sort == "relevance" and not (total_exact and total <= RANKED_NEWEST):  # else all are ranked
        floor = cache.get(snapshot, ("rank-floor", match), lambda: search.rank_floor(connection, match, RANKED_NEWEST))
    if query.effective_sort == "relevance" and query.effective_order == "desc":
        keys, snippets = best_matches(connection, search, match, (query.limit, query.offset), filters,
                                      cache.bound(snapshot), after, depth, _narrows(query, filters), floor)
    if keys is None:
        ranked = search.ranked(match, floor) if query.effective_sort == "relevance" else None
        if (query.tags or query.series) and total >= COMMON_TAG_ROWS:
            walk_series = all(range_at_least(connection, item, SERIES_WALK_ROWS) for item in query.series)
            conditions = [*filter_conditions(query, walk_tags=True, walk_series=walk_series),
                          *conditions[len(filters):]]
        walk = partial(page_keys, connection, query, conditions, *_sort_key(query, ranked), ranked, after)
        if ranked is None:
            keys = walk()
        else:  # ranking every match costs time, not memory: the page (a few keys) is kept per snapshot
            page_key = ("ranked-page", query.fingerprint(), query.offset, query.cursor, query.limit)
            keys = cache.get(snapshot, page_key, lambda: [PageKey(*row) for row in walk()])
    has_more = len(keys) > query.limit
    keys = keys[: query.limit]
    documents = ArtifactRepository(connection).documents([(k.seq, k.id) for k in keys])
    result = ListResult([k.id for k in keys], documents, total, next_cursor(query, keys[-1], cursor_key, depth + len(keys)) if has_more else None,
                        total_exact=total_exact, generation=snapshot.generation,
                        ranking_sample=None if floor is None else RANKED_NEWEST)
    if match:
        if query.effective_sort == "relevance":
            result.scores = {k.id: round(-float(k.sort_value), 6) for k in keys}
        snippets = {seq: snippet for seq, snippet in (snippets or {}).items() if snippet is not None}
        if missing := [k.seq for k in keys if k.seq not in snippets]:
            snippets.update(search.snippets(connection, match, missing))
        result.snippets = {k.id: snippets.get(k.seq, "") for k in keys}
    if query.facets:
        facet_key = ("facets", query.filter_key(), tuple(query.facets))
        sample = partial(newest_matches, connection, filters, conditions, drivers)
        result.facets, result.facets_sample = cache.get(
            snapshot, facet_key, lambda: facet_counts(connection, query, conditions, sample))
    return result


def _total(connection: Connection, query: ListQuery, filters: list, conditions: list,
           drivers: list[CountDriver]) -> tuple[int, bool]:
    """(total, exact): from the kept counts when they answer the query, else counted up to the bound.

    `drivers`: a search's word matches, then the matches only its infix index finds, each walked in turn
    until the bound (two sets without a row in common: the second excludes the first)."""
    counted = counted_total(connection, query)
    if counted is not None:
        return counted, True
    if drivers:
        total = 0
        for driver in drivers:
            found, exact = count_matches(connection, query, filters, EXACT_TOTAL_UP_TO - total, driver=driver)
            total += found
            if not exact:
                return total, False
        return total, True
    if query.series:  # drive from one series range (the other filters probe per row)
        first, *others = query.series
        rest = filter_conditions(replace(query, series=others))
        return count_matches(connection, query, rest, EXACT_TOTAL_UP_TO, driver=stats_range(first))
    return count_matches(connection, query, conditions, EXACT_TOTAL_UP_TO)


def filter_conditions(query: ListQuery, walk_tags: bool = False, walk_series: bool = False) -> list:
    """WHERE conditions for every filter of the query (search excluded; it is a join)."""
    c = artifacts.c
    conditions = []
    if not query.include_deleted:
        conditions.append(c.deleted_at.is_(None))
    if not query.include_archived:
        conditions.append(c.archived == false())
    if query.types:
        conditions.append(c.type.in_(query.types))
    if query.sources:
        conditions.append(c.source.in_(query.sources))
    conditions.extend(_tag_conditions(query, walk_tags))
    conditions.extend(c.capabilities.like(f"%,{cap},%") for cap in query.capabilities)
    if query.created_after is not None:
        conditions.append(c.created >= query.created_after)
    if query.created_before is not None:
        conditions.append(c.created <= query.created_before)
    if query.min_size is not None:
        conditions.append(c.size_bytes >= query.min_size)
    if query.max_size is not None:
        conditions.append(c.size_bytes <= query.max_size)
    if query.template_id:
        conditions.append(c.template_id == query.template_id)
    if query.model_id:
        conditions.append(c.model_id == query.model_id)
    if query.duplicates:
        conditions.append(c.duplicate_of.is_(None) if query.duplicates == "hide" else c.duplicate_of.is_not(None))
    if query.duplicate_of:
        conditions.append(c.duplicate_of == query.duplicate_of)
    if query.verified is not None:
        conditions.append(c.verified == query.verified)
    conditions.extend(filter_condition(item, walk_series) for item in query.series)
    series_sort = parse_sort(query.effective_sort)
    if series_sort:
        conditions.append(sort_key(*series_sort)[1])
    if query.related_to:
        linked = union(
            select(relationships.c.source_id).where(relationships.c.target_id == query.related_to),
            select(relationships.c.target_id).where(relationships.c.source_id == query.related_to),
        )
        conditions.append(c.id.in_(select(linked.subquery().c[0])))
    return conditions


def _narrows(query: ListQuery, filters: list) -> bool:
    """True when the filters hold more than the deleted/archived states (they keep a fraction of the matches)."""
    states = ListQuery(include_deleted=query.include_deleted, include_archived=query.include_archived)
    return len(filters) > len(filter_conditions(states))


def _tag_conditions(query: ListQuery, walk: bool) -> list:
    if not query.tags:
        return []
    tagged = artifact_tags.alias("tag_filter")  # an alias: the tags facet joins artifact_tags itself

    def has(tags: list[str]):
        if walk:  # common tags: walk the sort index and stop after a page (a correlated EXISTS)
            return exists().where(tagged.c.artifact_seq == artifacts.c.seq, tagged.c.tag.in_(tags))
        # rare tags: seq IN (...) drives from the tag index (rowid look-ups), then sorts the few rows
        return artifacts.c.seq.in_(select(tagged.c.artifact_seq).where(tagged.c.tag.in_(tags)))

    if query.tag_mode == "any":
        return [has(query.tags)]
    return [has([tag]) for tag in query.tags]


def _sort_key(query: ListQuery, ranked):
    if query.effective_sort == "relevance":
        return ranked.c.rank, query.effective_order == "asc"  # best (lowest bm25) first means "desc"
    series_sort = parse_sort(query.effective_sort)
    if series_sort:
        return sort_key(*series_sort)[0], query.effective_order == "desc"
    return SORT_COLUMNS[query.effective_sort], query.effective_order == "desc"
