"""FlowTime's "similar-run" relationship: other runs that share a tag or were created within an hour."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection, false, select

from app.registry.records import ARCHIVED_TAG, ArtifactRecord
from app.registry.store.tables import artifact_tags, artifacts

MAX_SIMILAR = 5
WINDOW = timedelta(hours=1)


def similar_runs(connection: Connection, record: ArtifactRecord, exclude: set[str]) -> list[str]:
    """Up to five live runs (other than `exclude`) created within 1 h of the run, then sharing a tag."""
    if record.type != "run":
        return []
    c = artifacts.c
    live = [c.type == "run", c.deleted_at.is_(None), c.archived == false(), c.id.not_in(sorted(exclude))]
    near = (select(c.id).where(*live, c.created >= record.created - WINDOW, c.created <= record.created + WINDOW)
            .order_by(c.created.desc(), c.id).limit(MAX_SIMILAR))
    found = list(connection.execute(near).scalars())
    tags = [t for t in record.tags if t != ARCHIVED_TAG]
    if len(found) < MAX_SIMILAR and tags:
        shared = (select(c.id).select_from(artifact_tags.join(artifacts, artifacts.c.seq == artifact_tags.c.artifact_seq))
                  .where(artifact_tags.c.tag.in_(tags), *live).limit(MAX_SIMILAR * 2))
        found.extend(i for i in connection.execute(shared).scalars() if i not in found)
    return found[:MAX_SIMILAR]
