"""Model and telemetry folders: described by their metadata.json."""

from __future__ import annotations

from app.registry.folders.descriptors import Unindexable, read_json
from app.registry.folders.summaries import telemetry_summaries
from app.registry.records import (
    ARTIFACT_TYPES,
    CAPABILITIES,
    SOURCES,
    TITLE_MAX,
    ArtifactRecord,
    normalise_tags,
)
from app.runfolder import METADATA_JSON
from app.storage import FileInfo, Storage
from app.timefmt import from_timestamp, parse_iso, utcnow


def read_described_folder(storage: Storage, key: str, files: list[FileInfo]) -> ArtifactRecord:
    """Model and telemetry folders: indexed from their metadata.json."""
    names = {f.name for f in files}
    if METADATA_JSON not in names:
        raise Unindexable("no metadata.json")
    doc, error = read_json(storage, f"{key}/{METADATA_JSON}")
    if doc is None:
        raise Unindexable(f"metadata.json: {error}")
    artifact_id = key.rsplit("/", 1)[-1]
    artifact_type = doc.get("type") if doc.get("type") in ARTIFACT_TYPES else key.split("/", 1)[0].rstrip("s")
    if artifact_type not in ARTIFACT_TYPES:
        artifact_type = "telemetry"
    created = parse_iso(doc.get("created")) or utcnow()
    extra = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    provenance = doc.get("provenance") if isinstance(doc.get("provenance"), dict) else {}
    if provenance:
        extra = {**extra, "provenance": provenance}
    derived = [d for d in doc.get("derived_from") or [] if isinstance(d, str)]
    series = extra.get("series") if isinstance(extra.get("series"), list) else []
    return ArtifactRecord(
        id=artifact_id, type=artifact_type, path=key,
        title=str(doc.get("title") or artifact_id)[:TITLE_MAX],
        description=str(doc.get("description") or ""),
        created=created, modified=from_timestamp(max(f.mtime for f in files)),
        source=doc.get("source") if doc.get("source") in SOURCES else "import",
        tags=normalise_tags([t for t in doc.get("tags") or [] if isinstance(t, str)]),
        capabilities=list(CAPABILITIES[artifact_type]),
        size_bytes=sum(f.size for f in files), file_count=len(files), series_count=len(series),
        metadata=extra, derived_from=derived,
        series_summary=telemetry_summaries(storage, key, names) if artifact_type == "telemetry" else None,
    )
