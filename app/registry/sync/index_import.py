"""Import registry-index.json (ours, or the FlowTime .NET format) as user state over scanned rows."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from app.registry.context import RegistryContext
from app.registry.folders.scanner import is_artifact_key, layout_keys
from app.registry.records import (
    TITLE_MAX,
    VERIFICATION,
    ArtifactRecord,
    file_names_from,
    normalise_tags,
    record_from_json,
)
from app.registry.store.history import restore_history
from app.registry.store.repository import ArtifactRepository
from app.storage.paths import is_artifact_id
from app.timefmt import parse_iso, utcnow

log = logging.getLogger(__name__)
DOTNET_AUTO_TAGS = {"run", "json", "csv", "configured"}
BULK_FROM = 100


@dataclass
class ImportReport:
    """How many artifacts took user state from an index, and the entries refused (id, reason)."""

    applied: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)


def is_dotnet_index(doc: dict) -> bool:
    """The .NET registry writes camelCase `schemaVersion/lastUpdated/artifacts/artifactCount`."""
    return "artifacts" in doc and ("schemaVersion" in doc or "lastUpdated" in doc) and "generation" not in doc


def apply_index(ctx: RegistryContext, doc: dict, recovering: bool = False) -> ImportReport:
    """Merge an index document into the registry; entries whose id or path is not an artifact's are refused.

    `recovering`: the document is the mirror of commits this database lost; rows edited here since
    (modified later than their mirrored copy) keep their own state.
    """
    dotnet = is_dotnet_index(doc)
    report = ImportReport()
    entries = []
    for entry in doc.get("artifacts") or []:
        reason = entry_problem(entry, dotnet)
        if reason is None:
            entries.append(entry)
        else:
            report.refused.append((str(entry.get("id"))[:200] if isinstance(entry, dict) else "?", reason))
    generation = doc.get("generation")
    # A large import re-applies state already on disk (snapshot, journal, a .NET index): no journal lines.
    with ctx.writing(bulk=len(entries) > BULK_FROM) as registry:
        # Only a document newer than the database (a mirror that outlived lost commits) may undo a deletion.
        newer = recovering or isinstance(generation, int) and generation > registry.generation()
        for entry in entries:
            report.applied += _apply_entry(registry, entry, dotnet, newer, recovering)
            if not dotnet:  # the edit history is user state too
                restore_history(registry.connection, entry["id"], entry.get("history"))
        if isinstance(generation, int) and generation > registry.generation():
            registry.set_state("generation", str(generation))  # keep generations monotonic
    if report.refused:
        log.warning("registry index: refused %d entries that are not artifacts, e.g. %s", len(report.refused),
                    "; ".join(f"{i!r}: {r}" for i, r in report.refused[:5]))
    return report


def entry_problem(entry: object, dotnet: bool) -> str | None:
    """Why an index entry cannot be imported (its id or path is not an artifact folder's), else None."""
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        return "not an object with a string id"
    if not is_artifact_id(entry["id"]):
        return "the id breaks the artifact id rules"
    if dotnet:
        return None if _dotnet_path(entry) else "no artifact folder of the layout has this id"
    if not is_artifact_key(entry.get("path"), entry["id"], entry.get("type")):
        return f"path {str(entry.get('path'))[:200]!r} is not <container>/<id> in the artifact layout"
    return None


def _dotnet_path(entry: dict) -> str | None:
    """Where the layout keeps a .NET index entry's folder: `run_*` at the top level, a model in models/."""
    artifact_id = entry["id"]
    if entry.get("type") == "model":
        return layout_keys(artifact_id, "model")[0] if layout_keys(artifact_id, "model") else None
    return artifact_id if is_artifact_key(artifact_id, artifact_id, "run") else None


def _apply_entry(registry: ArtifactRepository, entry: dict, dotnet: bool, newer: bool = False,
                 recovering: bool = False) -> int:
    existing = registry.get(entry["id"])
    if existing is None:
        registry.add(_tombstone(entry, dotnet))
        return 1
    edits = _dotnet_edits(existing, entry) if dotnet else _our_edits(existing, entry)
    later_here = recovering and existing.modified > (parse_iso(entry.get("modified")) or existing.modified)
    if later_here:  # edited here after the mirror was written: those fields keep the later edit
        edits = {k: v for k, v in edits.items() if k == "derived_from" or k not in existing.user_edits}
    restore = newer and not dotnet and not later_here and _restored(existing, entry)
    if not edits and not restore:
        return 0
    updated = existing.with_user_edits(edits)
    if restore:
        updated.user_edits = {k: v for k, v in updated.user_edits.items() if k != "deleted_at"}
        updated.deleted_at = None
    if "derived_from" in edits:
        updated.derived_from = list(dict.fromkeys([*existing.derived_from, *edits["derived_from"]]))
    registry.save(updated)
    return 1


def _our_edits(existing: ArtifactRecord, entry: dict) -> dict:
    """Whatever differs from what the folder says was set by a user."""
    mirrored = record_from_json(entry)
    edits: dict = {}
    if mirrored.title != existing.title:
        edits["title"] = mirrored.title
    if mirrored.description != existing.description:
        edits["description"] = mirrored.description
    if mirrored.tags != existing.tags:
        edits["tags"] = mirrored.tags
    if mirrored.deleted_at and not mirrored.metadata.get("missing"):
        edits["deleted_at"] = entry["deleted_at"]
    if mirrored.verification and mirrored.verification != existing.verification:
        edits[VERIFICATION] = mirrored.verification
    if mirrored.modified > existing.modified and edits:
        edits["edited_at"] = entry.get("modified")
    manual = [d for d in mirrored.derived_from if d not in existing.derived_from]
    if manual:
        edits["derived_from"] = manual
    return edits


def _restored(existing: ArtifactRecord, entry: dict) -> bool:
    """Deleted here, live in the (newer) document, and its folder is on disk: a restore the database lost."""
    return existing.deleted_at is not None and not entry.get("deleted_at") and not existing.metadata.get("missing")


def _dotnet_edits(existing: ArtifactRecord, entry: dict) -> dict:
    edits: dict = {}
    title = entry.get("title")
    default_title = f"Run {existing.id.rsplit('_', 1)[-1]}"
    if isinstance(title, str) and title.strip() and title not in (default_title, existing.title):
        edits["title"] = title.strip()[:TITLE_MAX]
    legacy = [t for t in entry.get("tags") or [] if isinstance(t, str) and t not in DOTNET_AUTO_TAGS]
    tags = normalise_tags([*existing.tags, *legacy])
    if tags != existing.tags:
        edits["tags"] = tags
    return edits


def _tombstone(entry: dict, dotnet: bool) -> ArtifactRecord:
    """An indexed artifact whose folder is gone: kept, deleted and flagged missing (never forgotten)."""
    if dotnet:
        record = ArtifactRecord(
            id=entry["id"], type=entry.get("type") if entry.get("type") in ("run", "model") else "run",
            title=str(entry.get("title") or entry["id"])[:TITLE_MAX], path=_dotnet_path(entry),
            created=parse_iso(entry.get("created")) or utcnow(),
            modified=parse_iso(entry.get("lastModified")) or utcnow(),
            tags=normalise_tags([t for t in entry.get("tags") or [] if t not in DOTNET_AUTO_TAGS]),
            file_names=file_names_from(entry.get("files")) or [],
        )
    else:
        record = record_from_json(entry)
    verification = {VERIFICATION: record.verification} if record.verification else {}
    record.user_edits = {"title": record.title, "description": record.description, "tags": list(record.tags),
                         **verification}
    record.deleted_at = record.deleted_at or utcnow()
    record.metadata = {**record.metadata, "missing": True}
    return record
