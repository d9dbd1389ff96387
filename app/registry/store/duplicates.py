"""Duplicate runs: runs of equal scenario hash (model + seed) produce identical series.

In each group the head is the earliest run (live ones before deleted ones, then by created, then id);
every other run of the group carries `duplicate_of: <head id>` in its row and its stored document.
Groups are settled again whenever one of their runs is written or removed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import groupby

from sqlalchemy import Connection, bindparam, select, update

from app.registry.store.tables import artifacts

CHUNK = 500
_SET = (update(artifacts).where(artifacts.c.seq == bindparam("row_seq"))
        .values(duplicate_of=bindparam("head"), doc=bindparam("new_doc")))


def settle_groups(connection: Connection, hashes: Iterable[str | None]) -> list[str]:
    """Recompute `duplicate_of` for every run whose scenario hash is among `hashes`; returns the ids it changed."""
    wanted = sorted({h for h in hashes if h})
    c = artifacts.c
    changes = []
    for start in range(0, len(wanted), CHUNK):
        rows = connection.execute(
            select(c.seq, c.id, c.scenario_hash, c.duplicate_of, c.doc, c.deleted_at.is_not(None).label("gone"),
                   c.created)
            .where(c.type == "run", c.scenario_hash.in_(wanted[start:start + CHUNK]))
            .order_by(c.scenario_hash)
        ).all()
        for _, group in groupby(rows, key=lambda r: r.scenario_hash):
            members = sorted(group, key=lambda r: (bool(r.gone), r.created, r.id))
            head = members[0].id
            for row in members:
                target = None if row.id == head else head
                if row.duplicate_of != target:
                    changes.append({"row_seq": row.seq, "head": target, "new_doc": _with_head(row.doc, target),
                                    "row_id": row.id})
    if changes:
        connection.execute(_SET, [{k: v for k, v in change.items() if k != "row_id"} for change in changes])
    return [change["row_id"] for change in changes]


def _with_head(doc: str, head: str | None) -> str:
    if not doc:
        return doc
    document = json.loads(doc)
    document["duplicate_of"] = head
    return json.dumps(document, ensure_ascii=False, allow_nan=False)
