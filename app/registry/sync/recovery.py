"""A mirror ahead of the database means the database lost commits (a lost or damaged WAL): re-apply it."""

from __future__ import annotations

import logging

from app.registry.context import RegistryContext
from app.registry.mirror import AHEAD_STATE, INDEX_NAME, mirror_generation, read_index
from app.registry.sync.index_import import ImportReport, apply_index
from app.registry.sync.rescan import rescan

log = logging.getLogger(__name__)


def recover_lost_commits(ctx: RegistryContext) -> ImportReport | None:
    """When registry-index.json is at a later generation than the database, merge its user state back.

    The mirror only ever holds committed changes, so a later generation there means the database went
    back in time (a copy of registry.db without its -wal, a WAL whose checksums fail); a process that
    met such a mirror before start-up could re-apply it flagged it (AHEAD_STATE). Folders written since
    are picked up by a rescan first; then titles, descriptions, tags, deletions, restores and links come
    back from the mirror (rows edited later keep their edit), and the generation moves past the
    mirror's. None when in step.
    """
    ahead = mirror_generation(ctx.storage)
    with ctx.reading() as registry:
        database, flagged = registry.generation(), registry.state(AHEAD_STATE)
    if ahead is None or (ahead <= database and flagged != str(ahead)):
        return None
    log.error("the registry database (generation %d) lost committed changes that %s (generation %d) holds: "
              "was registry.db copied without registry.db-wal, or its WAL damaged? Re-applying them from %s",
              database, INDEX_NAME, ahead, INDEX_NAME)
    doc = read_index(ctx.storage)
    if doc is None or not isinstance(doc.get("artifacts"), list):
        log.error("%s cannot be read in full: nothing re-applied", INDEX_NAME)
        return None
    scan = rescan(ctx)
    report = apply_index(ctx, doc, recovering=True)
    with ctx.writing() as registry:
        registry.set_state(AHEAD_STATE, "")
    log.error("re-applied user state of %d artifacts from %s (%d folders added by a rescan, %d entries refused); "
              "the database is now ahead of generation %d", report.applied, INDEX_NAME, scan.added,
              len(report.refused), ahead)
    return report
