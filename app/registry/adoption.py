"""Import registry-index.json (ours, or the FlowTime .NET format) as user state over scanned rows."""

from __future__ import annotations

from app.registry.context import RegistryContext
from app.registry.records import (
    ArtifactRecord,
    file_names_from,
    normalise_tags,
    parse_iso,
    record_from_json,
    utcnow,
)
from app.registry.repository import SqlRegistry

DOTNET_AUTO_TAGS = {"run", "json", "csv", "configured"}


def is_dotnet_index(doc: dict) -> bool:
    """The .NET registry writes camelCase `schemaVersion/lastUpdated/artifacts/artifactCount`."""
    return "artifacts" in doc and ("schemaVersion" in doc or "lastUpdated" in doc) and "generation" not in doc


def apply_index(ctx: RegistryContext, doc: dict) -> int:
    """Merge an index document into the registry; returns how many artifacts took user state from it."""
    entries = [e for e in doc.get("artifacts") or [] if isinstance(e, dict) and isinstance(e.get("id"), str)]
    dotnet = is_dotnet_index(doc)
    applied = 0
    with ctx.writing() as registry:
        for entry in entries:
            applied += _apply_entry(registry, entry, dotnet)
        generation = doc.get("generation")
        if isinstance(generation, int) and generation > registry.generation():
            registry.set_state("generation", str(generation))  # keep generations monotonic
    return applied


def _apply_entry(registry: SqlRegistry, entry: dict, dotnet: bool) -> int:
    existing = registry.get(entry["id"])
    if existing is None:
        registry.add(_tombstone(entry, dotnet))
        return 1
    edits = _dotnet_edits(existing, entry) if dotnet else _our_edits(existing, entry)
    if not edits:
        return 0
    updated = existing.with_user_edits(edits)
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
    if mirrored.modified > existing.modified and edits:
        edits["edited_at"] = entry.get("modified")
    manual = [d for d in mirrored.derived_from if d not in existing.derived_from]
    if manual:
        edits["derived_from"] = manual
    return edits


def _dotnet_edits(existing: ArtifactRecord, entry: dict) -> dict:
    edits: dict = {}
    title = entry.get("title")
    default_title = f"Run {existing.id.rsplit('_', 1)[-1]}"
    if isinstance(title, str) and title.strip() and title not in (default_title, existing.title):
        edits["title"] = title.strip()[:200]
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
            title=str(entry.get("title") or entry["id"])[:200], path=entry["id"],
            created=parse_iso(entry.get("created")) or utcnow(),
            modified=parse_iso(entry.get("lastModified")) or utcnow(),
            tags=normalise_tags([t for t in entry.get("tags") or [] if t not in DOTNET_AUTO_TAGS]),
            file_names=file_names_from(entry.get("files")) or [],
        )
    else:
        record = record_from_json(entry)
    record.user_edits = {"title": record.title, "description": record.description, "tags": list(record.tags)}
    record.deleted_at = record.deleted_at or utcnow()
    record.metadata = {**record.metadata, "missing": True}
    return record
