"""A mirror ahead of the database means the database lost commits (a lost or damaged WAL): re-apply it."""

from __future__ import annotations

import logging

from app.registry.context import RegistryContext
from app.registry.mirror import AHEAD_STATE, INDEX_NAME
from app.registry.sync.durable import latest_generation, read_durable_state
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
    ahead = latest_generation(ctx.storage, ctx.journal)
    with ctx.reading() as registry:
        database, flagged = registry.generation(), registry.state(AHEAD_STATE)
    if not flagged and (ahead is None or ahead <= database):
        return None
    ahead = max(ahead or 0, int(flagged or 0))
    log.error("the registry database (generation %d) lost committed changes that %s (generation %d) holds: "
              "was registry.db copied without registry.db-wal, or its WAL damaged? Re-applying them from %s",
              database, INDEX_NAME, ahead, INDEX_NAME)
    with ctx.reading() as registry:
        commit = registry.state("commit_id") or ""
    durable = read_durable_state(ctx.storage, ctx.journal, database_commit=commit)
    documents = durable.documents()
    if not documents:
        log.error("%s and its journal cannot be read in full: nothing re-applied", INDEX_NAME)
        return None
    scan = rescan(ctx)
    report = ImportReport()
    for document in documents:
        applied = apply_index(ctx, document, recovering=True)
        report.applied += applied.applied
        report.refused += applied.refused
    with ctx.writing() as registry:
        registry.set_state(AHEAD_STATE, "")
    log.error("re-applied user state of %d artifacts from %s (%d folders added by a rescan, %d entries refused); "
              "the database is now ahead of generation %d", report.applied, INDEX_NAME, scan.added,
              len(report.refused), ahead)
    return report
