"""Registry use cases: each is one verb, one transaction, taking its dependencies explicitly."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from werkzeug.http import parse_etags

from app.errors import ArtifactUnreadable, Conflict, NotFound, PreconditionFailed
from app.registry.context import RegistryContext
from app.registry.folders.legacy_docs import complete_documents
from app.registry.folders.scanner import Candidate, Unindexable, read_candidate
from app.registry.records import ARCHIVED_TAG, VERIFICATION, ArtifactRecord, artifact_json
from app.registry.store.listing import ListQuery, ListResult
from app.registry.store.listing import list_artifacts as run_list_query
from app.registry.store.repository import ArtifactRepository
from app.registry.sync.apply import RescanReport, apply_records
from app.registry.sync.discovery import discover
from app.storage.paths import validate_artifact_id
from app.timefmt import iso, utcnow

T = TypeVar("T")
log = logging.getLogger(__name__)


def etag_of(record: ArtifactRecord) -> str:
    """A strong ETag over the artifact's JSON (changes with every edit)."""
    body = json.dumps(artifact_json(record), sort_keys=True, default=str).encode()
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def require_match(record: ArtifactRecord, if_match: str | None) -> None:
    """412 unless an `If-Match` header (a list, or `*`) holds the record's current ETag (RFC 9110 13.1.1)."""
    if if_match is None or not if_match.strip():
        return
    current = etag_of(record)
    if not parse_etags(if_match).contains_raw(current):
        raise PreconditionFailed("the artifact changed since it was read", details={"If-Match": [f"the artifact's ETag is now {current}"]})


def require_artifact(registry: ArtifactRepository, artifact_id: str, include_deleted: bool = True) -> ArtifactRecord:
    validate_artifact_id(artifact_id)
    record = registry.get(artifact_id)
    if record is None or (record.deleted_at is not None and not include_deleted):
        raise NotFound(f"artifact not found: {artifact_id}", details={"id": [f"no artifact {artifact_id}"]})
    return record


def _discovering(ctx: RegistryContext, action: Callable[[], T]) -> T:
    """Run an action; if the artifact is unknown, pick up new folders once and retry."""
    try:
        return action()
    except NotFound:
        if not discover(ctx):
            raise
        return action()


def get_artifact(ctx: RegistryContext, artifact_id: str, include_deleted: bool = False) -> ArtifactRecord:
    """One artifact; soft-deleted ones only when asked for."""

    def read() -> ArtifactRecord:
        with ctx.reading() as registry:
            return require_artifact(registry, artifact_id, include_deleted)

    return _discovering(ctx, read)


def list_artifacts(ctx: RegistryContext, query: ListQuery) -> ListResult:
    """A page of artifacts (after picking up folders other processes wrote)."""
    discover(ctx)
    with ctx.db.read() as connection:
        result = run_list_query(connection, ctx.search, ctx.cache, query, ctx.cursor_key)
    result.documents = complete_documents(ctx.storage, result.documents)
    return result


def _edit(ctx: RegistryContext, artifact_id: str, change: Callable[[ArtifactRecord], ArtifactRecord],
          include_deleted: bool = True, actor: str | None = None) -> ArtifactRecord:
    def write() -> ArtifactRecord:
        with ctx.writing(actor=actor) as registry:
            record = require_artifact(registry, artifact_id, include_deleted)
            updated = change(record)
            if updated is not record:
                registry.save(updated)
        return updated

    return _discovering(ctx, write)


def update_artifact(ctx: RegistryContext, artifact_id: str, changes: dict,
                    if_match: str | None = None, actor: str | None = None) -> ArtifactRecord:
    """Apply user edits (title, description, tags); they survive every rescan and rebuild.

    `actor` names who edited, for the edit history (None: the registry itself, e.g. a generated run's title).
    """

    def change(record: ArtifactRecord) -> ArtifactRecord:
        require_match(record, if_match)
        return record.with_user_edits({**changes, "edited_at": iso(utcnow())})

    return _edit(ctx, artifact_id, change, include_deleted=False, actor=actor)


def delete_artifact(ctx: RegistryContext, artifact_id: str, if_match: str | None = None,
                    actor: str | None = None) -> ArtifactRecord:
    """Soft delete (files kept); idempotent; `If-Match` honoured."""

    def change(record: ArtifactRecord) -> ArtifactRecord:
        require_match(record, if_match)
        return record if record.deleted_at else record.with_user_edits({"deleted_at": iso(utcnow())})

    return _edit(ctx, artifact_id, change, actor=actor)


def restore_artifact(ctx: RegistryContext, artifact_id: str, if_match: str | None = None,
                     actor: str | None = None) -> ArtifactRecord:
    """Undo a soft delete (a folder that is missing from disk cannot be restored); `If-Match` honoured."""

    def change(record: ArtifactRecord) -> ArtifactRecord:
        require_match(record, if_match)
        if record.metadata.get("missing"):
            raise Conflict("the artifact's folder is missing from the data directory", details={"id": ["its folder is missing"]})
        record.user_edits = {k: v for k, v in record.user_edits.items() if k != "deleted_at"}
        record.deleted_at = None
        return record.with_user_edits({})

    return _edit(ctx, artifact_id, change, actor=actor)


def record_verification(ctx: RegistryContext, artifact_id: str, verdict: dict) -> ArtifactRecord:
    """Store a verify verdict with the artifact (user state: rescans, the mirror and rebuilds keep it)."""
    return _edit(ctx, artifact_id, lambda record: record.with_user_edits({VERIFICATION: verdict}))


@dataclass
class BulkOutcome:
    """Per-id results of a bulk action."""

    results: list[dict]

    @property
    def succeeded(self) -> int:
        return sum(1 for r in self.results if r["success"])


def archive_artifacts(ctx: RegistryContext, ids: list[str], actor: str | None = None) -> BulkOutcome:
    """Tag each artifact `archived` (hidden from listings unless include_archived)."""
    return _bulk(ctx, ids, _archive_one, actor)


def bulk_delete(ctx: RegistryContext, ids: list[str], actor: str | None = None) -> BulkOutcome:
    """Soft-delete many artifacts; invalid ids are reported and never touch the filesystem."""
    return _bulk(ctx, ids, _delete_one, actor)


def _archive_one(registry: ArtifactRepository, record: ArtifactRecord) -> None:
    if ARCHIVED_TAG not in record.tags:
        registry.save(record.with_user_edits({"tags": [*record.tags, ARCHIVED_TAG], "edited_at": iso(utcnow())}))


def _delete_one(registry: ArtifactRepository, record: ArtifactRecord) -> None:
    if record.deleted_at is None:
        registry.save(record.with_user_edits({"deleted_at": iso(utcnow())}))


def _bulk(ctx: RegistryContext, ids: list[str], action, actor: str | None) -> BulkOutcome:
    discover(ctx)
    results = []
    with ctx.writing(actor=actor) as registry:
        for artifact_id in ids:
            try:
                record = require_artifact(registry, artifact_id, include_deleted=action is _delete_one)
                action(registry, record)
                results.append({"id": artifact_id, "success": True})
            except (NotFound, Conflict) as exc:
                results.append({"id": artifact_id, "success": False, "error": exc.message})
            except Exception as exc:  # an invalid id: reported per item, never a 500 for the batch
                message = getattr(exc, "message", "invalid artifact id")
                results.append({"id": str(artifact_id), "success": False, "error": message})
    return BulkOutcome(results)


def register_folder(ctx: RegistryContext, key: str, artifact_type: str,
                    extra_metadata: dict | None = None) -> ArtifactRecord:
    """Index one freshly written artifact folder at once (engine runs, exports, models, telemetry)."""
    candidate = Candidate(key=key, artifact_id=key.rsplit("/", 1)[-1], type=artifact_type)
    try:
        record = read_candidate(ctx.storage, candidate)
    except Unindexable as exc:
        raise ArtifactUnreadable(f"cannot index {key}: {exc}") from exc
    record.metadata.update(extra_metadata or {})
    with ctx.writing() as registry:
        apply_records(registry, [record], RescanReport())
    return get_artifact(ctx, record.id)


def register_new_folder(ctx: RegistryContext, key: str, artifact_type: str,
                        extra_metadata: dict | None = None) -> ArtifactRecord:
    """register_folder for a folder this request has just written: if it ends up without a row, it is removed."""
    try:
        return register_folder(ctx, key, artifact_type, extra_metadata)
    except BaseException:
        _remove_unregistered(ctx, key)
        raise


def _remove_unregistered(ctx: RegistryContext, key: str) -> None:
    artifact_id = key.rsplit("/", 1)[-1]
    try:
        with ctx.reading() as registry:
            registered = registry.get(artifact_id) is not None
        if not registered:  # never delete a folder whose row was committed before the failure
            ctx.storage.delete_folder(key)
            log.warning("removed %s: written for a request whose registration failed", key)
    except Exception:  # the original failure is what the client needs to hear about
        log.exception("could not remove %s after its registration failed; a rescan will report it", key)


__all__ = ["etag_of", "require_match", "get_artifact", "list_artifacts", "update_artifact", "delete_artifact",
           "restore_artifact", "archive_artifacts", "bulk_delete", "register_folder", "register_new_folder",
           "require_artifact", "record_verification",
           "BulkOutcome"]
