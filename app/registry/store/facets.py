"""Facet counts of a listing: from the kept counts, grouped over every match, or over a sample of the newest."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, bindparam, exists, func, select

from app.registry.store.pages import CountDriver
from app.registry.store.quick_counts import counted_facet
from app.registry.store.tables import artifact_tags, artifacts

FACET_LIMIT = 50
# Facets the kept counts cannot answer, over more matches than the exact total covers, are counted over the
# newest this many matches (`facets_sample`), as Elasticsearch's sampler aggregation: exact counts over a
# common word's 300,000 matches cost seconds.
FACET_SAMPLE = 2_000


def facet_counts(connection: Connection, query, conditions: list,
                 sample: Callable[[], tuple[list[int], bool]] | None = None) -> tuple[dict, int | None]:
    """(counts per value of each requested facet, how many matches they cover; None: every match).

    The kept counts answer what they can exactly; the rest are grouped over every match (`conditions`), or
    over the rows `sample()` gives with whether they are every match.
    """
    facets, seqs, complete = {}, None, True
    for name in query.facets:
        quick = counted_facet(connection, query, name)
        if quick is not None:
            top = sorted(quick.items(), key=lambda item: (-item[1], item[0]))[:FACET_LIMIT]
            facets[name] = [{"value": value, "count": n} for value, n in top]
            continue
        if sample is not None and seqs is None:
            seqs, complete = sample()  # collected once for every facet
        facets[name] = _facet(connection, name, conditions, seqs)
    return facets, None if complete else FACET_SAMPLE


def newest_matches(connection: Connection, filters: list, conditions: list,
                   drivers: list[CountDriver]) -> tuple[list[int], bool]:
    """(the seq of the newest FACET_SAMPLE matches, whether that is every match).

    A search's matches come from its `drivers`: its word matches first, then those only its infix index
    finds, each walked newest first (rowid DESC) and probing its artifact under the `filters`, so a common
    word's sample leaves its infix-only matches out. Without drivers, the newest of every match
    (`conditions`).
    """
    if not drivers:
        statement = select(artifacts.c.seq).where(*conditions).order_by(artifacts.c.seq.desc()).limit(FACET_SAMPLE)
        seqs = list(connection.execute(statement).scalars())
        return seqs, len(seqs) < FACET_SAMPLE
    seqs: list[int] = []
    for driver in drivers:
        probe = exists().where(artifacts.c.seq == driver.seq, *filters)
        statement = select(driver.seq).select_from(driver.table).where(*driver.where, probe).order_by(driver.seq.desc())
        seqs += connection.execute(statement.limit(FACET_SAMPLE - len(seqs))).scalars()
        if len(seqs) == FACET_SAMPLE:
            return seqs, False
    return seqs, True


def _facet(connection: Connection, name: str, where: list, seqs: list[int] | None) -> list[dict]:
    """The top values of one facet over the rows matching `where`, or the rows `seqs` (no join for tags)."""
    if seqs is not None:
        # Rendered into the SQL: a few thousand bound parameters cost more to bind than to count.
        where = [artifacts.c.seq.in_(bindparam("sample", seqs, expanding=True, literal_execute=True))]
    if name == "tags" and seqs is not None:
        statement = (select(artifact_tags.c.tag.label("value"), func.count().label("n"))
                     .where(artifact_tags.c.artifact_seq.in_(bindparam("sample", seqs, expanding=True,
                                                                        literal_execute=True)))
                     .group_by(artifact_tags.c.tag))
    elif name == "tags":
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
