"""Maintenance: purge of soft-deleted artifacts, retention, and the consistency check."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.errors import BadRequest
from app.registry.context import RegistryContext
from app.registry.folders.scanner import is_artifact_key, iter_candidates
from app.registry.store.retention import deleted_before, ids_and_paths, live_created_before, skipped_paths
from app.registry.sync.durable import read_durable_state
from app.registry.sync.index_import import is_dotnet_index
from app.timefmt import iso, utcnow

log = logging.getLogger(__name__)
_AGE = re.compile(r"^(\d+)([dhw])$")
_UNITS = {"d": "days", "h": "hours", "w": "weeks"}


def parse_age(text: str) -> timedelta:
    """'30d', '12h', '2w' -> timedelta."""
    match = _AGE.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise BadRequest(f"invalid age {text!r}; use e.g. 30d, 12h or 2w")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def purge_candidates(ctx: RegistryContext, older_than: timedelta) -> list[dict]:
    """Soft-deleted artifacts deleted before now - older_than."""
    cutoff = utcnow() - older_than
    with ctx.db.read() as connection:
        rows = deleted_before(connection, cutoff)
    return [{"id": r.id, "path": r.path, "deleted_at": iso(r.deleted_at)} for r in rows]


@dataclass
class PurgeReport:
    """How many artifacts were purged, and the rows that were not (each with a reason)."""

    purged: int = 0
    refused: list[dict] = field(default_factory=list)


def purge(ctx: RegistryContext, candidates: list[dict]) -> PurgeReport:
    """Permanently remove the given artifacts: rows first, then their folders; one bad row never stops the rest.

    A folder is removed only when it is exactly `<container>/<id>` in the scanner's layout: a row whose
    path says anything else (an adopted index naming `models`, or `run_X/series`) is kept and reported.
    """
    report = PurgeReport()
    for item in candidates:
        try:
            reason = _purge_one(ctx, item)
        except Exception as exc:  # reported; the other candidates are still purged
            log.exception("purge of %r failed", item.get("id"))
            reason = f"failed: {type(exc).__name__}: {exc}"
        if reason is None:
            report.purged += 1
        elif reason != "restored":
            report.refused.append({"id": item.get("id"), "path": item.get("path"), "reason": reason})
    return report


def _purge_one(ctx: RegistryContext, item: dict) -> str | None:
    """None when purged, else why not."""
    with ctx.writing() as registry:
        record = registry.get(item["id"])
        if record is None or record.deleted_at is None:
            return "restored"  # restored (or purged) meanwhile: keep it
        if not is_artifact_key(record.path, record.id):
            return f"path {record.path!r} is not an artifact folder of id {record.id!r}; row and files kept"
        registry.remove(record.id)
    ctx.storage.delete_folder(record.path)
    return None


def retention_candidates(ctx: RegistryContext, older_than: timedelta, artifact_type: str | None,
                         keep_tag: str | None) -> list[dict]:
    """Live artifacts created before the cutoff, minus those carrying the keep tag."""
    cutoff: datetime = utcnow() - older_than
    with ctx.db.read() as connection:
        rows = live_created_before(connection, cutoff, artifact_type, keep_tag)
    return [{"id": r.id, "created": iso(r.created)} for r in rows]


def check_registry(ctx: RegistryContext) -> list[str]:
    """Every inconsistency found: database and FTS integrity, mirror vs database, disk vs database."""
    problems: list[str] = []
    with ctx.db.read() as connection:
        if ctx.db.is_sqlite:
            result = connection.exec_driver_sql("PRAGMA integrity_check").scalar()
            if result != "ok":
                problems.append(f"database integrity: {result}")
        fts_error = ctx.search.integrity_check(connection)
        if fts_error:
            problems.append(f"full-text index: {fts_error}")
        rows = ids_and_paths(connection)
        skipped = skipped_paths(connection)
    live = {r.id: r.path for r in rows if r.deleted_at is None}
    on_disk = {c.artifact_id: c.key for c in iter_candidates(ctx.storage) if c.key not in skipped}
    problems += [f"on disk but not indexed: {on_disk[i]}" for i in sorted(set(on_disk) - {r.id for r in rows})]
    problems += [f"indexed but missing on disk: {live[i]}" for i in sorted(set(live) - set(on_disk))]
    problems += _mirror_problems(ctx, {r.id for r in rows})
    return problems


def _mirror_problems(ctx: RegistryContext, ids: set[str]) -> list[str]:
    """What the snapshot + journal would not restore: artifacts missing or with other user state than the database's.

    Generations are not compared: commits that change no artifact (a rescan finding nothing) are not
    journaled, so the journal may end below the database's generation with nothing missing.
    """
    durable = read_durable_state(ctx.storage, ctx.journal)
    if durable.snapshot is None or is_dotnet_index(durable.snapshot):
        return ["registry-index.json is missing or not in the registry's format", *durable.problems]
    problems = list(durable.problems)
    latest = durable.latest()
    if set(latest) != ids:
        problems.append(f"snapshot + journal list {len(latest)} artifacts, database holds {len(ids)}")
    with ctx.reading() as registry:
        differing = [r.id for r in registry.iter_all() if r.id in latest and _user_state(latest[r.id]) != (
            r.title, r.description, sorted(r.tags), r.deleted_at is not None)]
    if differing:
        problems.append(f"snapshot + journal hold other user state than the database for {len(differing)} "
                        f"artifacts (first: {differing[0]})")
    return problems


def _user_state(doc: dict) -> tuple:
    return doc.get("title"), doc.get("description"), sorted(doc.get("tags") or []), doc.get("deleted_at") is not None
