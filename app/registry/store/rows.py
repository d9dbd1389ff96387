"""Artifact records <-> artifacts rows."""

from __future__ import annotations

import json

from app.registry.records import ArtifactRecord, artifact_doc
from app.registry.store.tables import artifacts

ROW_COLUMNS = [c for c in artifacts.c if c.name not in ("seq", "doc")]
SEARCH_TERM_CHARS = 2000  # of one indexed metadata value


def row_values(record: ArtifactRecord) -> dict:
    """The artifacts row of a record (its JSON document included)."""
    return {
        "id": record.id,
        "type": record.type,
        "title": record.title,
        "description": record.description,
        "created": record.created,
        "modified": record.modified,
        "source": record.source,
        "schema_version": record.schema_version,
        "path": record.path,
        "size_bytes": record.size_bytes,
        "file_count": record.file_count,
        "series_count": record.series_count,
        "capabilities": "," + ",".join(record.capabilities) + "," if record.capabilities else "",
        "tags_json": json.dumps(record.tags),
        "tags_text": " ".join(record.tags),
        "search_text": " ".join(search_terms(record)),
        "metadata_json": json.dumps(record.metadata, sort_keys=True, allow_nan=False),
        "user_edits": json.dumps(record.user_edits, sort_keys=True, allow_nan=False),
        "template_id": record.template_id,
        "model_id": record.model_id,
        "archived": record.archived,
        "deleted_at": record.deleted_at,
        "fingerprint": record.fingerprint,
        "doc": json.dumps(artifact_doc(record), ensure_ascii=False, allow_nan=False),
        "file_names": None if record.file_names is None else json.dumps(record.file_names, ensure_ascii=False),
        "scenario_hash": record.scenario_hash,
        "duplicate_of": record.duplicate_of,
        "verified": None if record.verification is None else bool(record.verification.get("reproducible")),
        "series_summary": None if record.series_summary is None else json.dumps(record.series_summary,
                                                                              allow_nan=False),
    }


def search_terms(record: ArtifactRecord) -> list[str]:
    """Series and node ids and the values of a manifest's `metadata`: searched beside title, description, tags."""
    meta = record.metadata
    described = [str(v) for v in (meta.get("manifest_metadata") or {}).values() if isinstance(v, str | int | float)]
    terms = [*(meta.get("series") or []), *(meta.get("nodes") or []), *described]
    return list(dict.fromkeys(t[:SEARCH_TERM_CHARS] for t in terms))


def record_from_row(row) -> ArtifactRecord:
    """Build a record from an artifacts row (relationships are filled separately)."""
    capabilities = [c for c in (row.capabilities or "").split(",") if c]
    return ArtifactRecord(
        id=row.id,
        type=row.type,
        title=row.title,
        description=row.description,
        path=row.path,
        created=row.created,
        modified=row.modified,
        source=row.source,
        tags=json.loads(row.tags_json),
        schema_version=row.schema_version,
        capabilities=capabilities,
        size_bytes=row.size_bytes,
        file_count=row.file_count,
        series_count=row.series_count,
        metadata=json.loads(row.metadata_json),
        user_edits=json.loads(row.user_edits),
        deleted_at=row.deleted_at,
        fingerprint=row.fingerprint,
        file_names=None if row.file_names is None else json.loads(row.file_names),
        series_summary=None if row.series_summary is None else json.loads(row.series_summary),
        duplicate_of=row.duplicate_of,
    )
