"""Facet counts of a listing: from the kept counts, grouped over every match, or over a sample of the newest."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, exists, func, select

from app.registry.store.pages import CountDriver
from app.registry.store.quick_counts import counted_facet
from app.registry.store.tables import artifact_tags, artifacts

FACET_LIMIT = 50
# Facets the kept counts cannot answer, over more matches than the exact total covers, are counted over the
# newest this many matches (`facets_sample`), as Elasticsearch's sampler aggregation: exact counts over a
# common word's 300,000 matches cost seconds.
FACET_SAMPLE = 5_000


def facet_counts(connection: Connection, query, conditions: list,
                 sample: Callable[[], list[int] | None] | None = None) -> tuple[dict, int | None]:
    """(counts per value of each requested facet, how many matches they cover; None: every match).

    The kept counts answer what they can exactly; the rest are grouped over every match, or over the rows
    `sample()` gives (None from it: it would hold every match).
    """
    facets, seqs, sampled = {}, None, False
    for name in query.facets:
        quick = counted_facet(connection, query, name)
        if quick is not None:
            top = sorted(quick.items(), key=lambda item: (-item[1], item[0]))[:FACET_LIMIT]
            facets[name] = [{"value": value, "count": n} for value, n in top]
            continue
        if sample is not None and not sampled:
            seqs, sampled = sample(), True
        facets[name] = _facet(connection, name, conditions if seqs is None else [artifacts.c.seq.in_(seqs)])
    return facets, None if seqs is None else len(seqs)


def newest_matches(connection: Connection, filters: list, conditions: list, words: CountDriver | None) -> list | None:
    """The seq of the newest FACET_SAMPLE matches, or None when there are fewer (every match is then counted).

    With a search's word matches (`words`) FTS5 walks them newest first (rowid DESC), each probing its
    artifact under the `filters`; infix-only matches are then left out of the sample.
    """
    if words is None:
        statement = select(artifacts.c.seq).where(*conditions).order_by(artifacts.c.seq.desc())
    else:
        probe = exists().where(artifacts.c.seq == words.seq, *filters)
        statement = select(words.seq).select_from(words.table).where(*words.where, probe).order_by(words.seq.desc())
    seqs = list(connection.execute(statement.limit(FACET_SAMPLE)).scalars())
    return seqs if len(seqs) == FACET_SAMPLE else None


def _facet(connection: Connection, name: str, where: list) -> list[dict]:
    if name == "tags":
        statement = (
            select(artifact_tags.c.tag.label("value"), func.count().label("n"))
            .select_from(artifact_tags)
            .join(artifacts, artifacts.c.seq == artifact_tags.c.artifact_seq)
            .where(*where)
            .group_by(artifact_tags.c.tag)
        )
    else:
        col = artifacts.c[name]
        statement = select(col.label("value"), func.count().label("n")).where(*where).group_by(col)
    statement = statement.order_by(func.count().desc(), "value").limit(FACET_LIMIT)
    return [{"value": r.value, "count": r.n} for r in connection.execute(statement)]
