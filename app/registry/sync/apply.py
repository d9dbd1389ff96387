"""The one writer of scanned records: new folders inserted, known ones refreshed under the user's edits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from app.registry.records import ArtifactRecord
from app.registry.store.repository import ArtifactRepository
from app.timefmt import utcnow

# Metadata recorded when the artifact was registered that its folder cannot tell again.
REGISTRATION_METADATA = ("execution_ms",)


@dataclass
class RescanReport:
    """What a rescan changed."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    restored: int = 0
    unchanged: int = 0
    skipped: list[dict] = field(default_factory=list)
    total: int = 0
    duration_ms: int = 0

    def as_dict(self) -> dict:
        return {"added": self.added, "updated": self.updated, "removed": self.removed,
                "restored": self.restored, "unchanged": self.unchanged, "skipped": self.skipped,
                "total": self.total, "duration_ms": self.duration_ms}


def merge_scanned(existing: ArtifactRecord | None, scanned: ArtifactRecord) -> ArtifactRecord:
    """The scanned record with the user's edits and manual links from the existing row applied."""
    if existing is None:
        return scanned
    merged = scanned.with_user_edits(existing.user_edits)
    for key in REGISTRATION_METADATA:
        if key in existing.metadata and key not in merged.metadata:
            merged.metadata[key] = existing.metadata[key]
    manual = existing.user_edits.get("derived_from") or []
    merged.derived_from = list(dict.fromkeys([*scanned.derived_from, *manual]))
    return merged


def mark_missing(registry: ArtifactRepository, record: ArtifactRecord) -> None:
    """A folder vanished: soft-delete the row, flag it, keep every edit (it comes back if the folder does)."""
    record.deleted_at = record.deleted_at or utcnow()
    record.metadata = {**record.metadata, "missing": True}
    record.fingerprint = ""  # forces a re-read when the folder reappears
    registry.save(record)


def apply_records(registry: ArtifactRepository, records: Iterable[ArtifactRecord], report: RescanReport) -> None:
    """Insert new records and refresh existing ones, counting what happened."""
    records = list(records)
    known = registry.get_many([r.id for r in records])
    fresh = [r for r in records if r.id not in known]
    registry.add_many(fresh)
    report.added += len(fresh)
    for scanned in records:
        if scanned.id not in known:
            continue
        existing = registry.with_relationships([known[scanned.id]])[0]
        merged = merge_scanned(existing, scanned)
        if existing.metadata.get("missing") and merged.deleted_at is None:
            report.restored += 1
        else:
            report.updated += 1
        registry.save(merged)
