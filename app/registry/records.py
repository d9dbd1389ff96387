"""The artifact record (one registry row) and its JSON form, shared by the API and the mirror."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from app.config import MEGABYTE
from app.errors import ValidationFailed
from app.timefmt import iso, parse_iso, utcnow

ARTIFACT_TYPES = ("run", "model", "telemetry")
SOURCES = ("engine", "sim", "import")
CAPABILITIES = {
    "run": ["replay", "compare", "export"],
    "model": ["run", "compare"],
    "telemetry": ["replay", "compare"],
}
ARCHIVED_TAG = "archived"
TAG_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
# The one rule for the labels users give (titles, descriptions, tags), on every route that takes them.
TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
TAGS_MAX = 50
USER_FIELDS = ("title", "description", "tags")
VERIFICATION = "verification"


@dataclass
class ArtifactRecord:
    """Everything the registry knows about one artifact."""

    id: str
    type: str
    title: str
    path: str
    created: datetime
    modified: datetime
    source: str = "engine"
    description: str = ""
    tags: list[str] = field(default_factory=list)
    schema_version: str = "v1"
    capabilities: list[str] = field(default_factory=list)
    size_bytes: int = 0
    file_count: int = 0
    series_count: int = 0
    metadata: dict = field(default_factory=dict)
    derived_from: list[str] = field(default_factory=list)
    generates: list[str] = field(default_factory=list)
    user_edits: dict = field(default_factory=dict)
    deleted_at: datetime | None = None
    fingerprint: str = ""
    file_names: list[str] | None = None  # relative names; None for rows stored before migration 0008
    # {node: {points, min, max, mean, sum, last}} read from the folder; None before migration 0009's rescan
    series_summary: dict | None = None
    duplicate_of: str | None = None  # the earliest run with the same scenario hash (set by the store)

    @property
    def archived(self) -> bool:
        return ARCHIVED_TAG in self.tags

    @property
    def scenario_hash(self) -> str | None:
        value = self.metadata.get("scenario_hash") if self.type == "run" else None
        return value if isinstance(value, str) and value else None

    @property
    def verification(self) -> dict | None:
        """The last verify verdict (user state: kept in user_edits, so rescans and the mirror keep it)."""
        value = self.user_edits.get(VERIFICATION)
        return value if isinstance(value, dict) else None

    @property
    def template_id(self) -> str | None:
        return (self.metadata.get("provenance") or {}).get("template_id")

    @property
    def model_id(self) -> str | None:
        return (self.metadata.get("provenance") or {}).get("model_id")

    def with_user_edits(self, edits: dict) -> ArtifactRecord:
        """Apply user edits (title, description, tags) over the values read from the folder."""
        merged = {**self.user_edits, **edits}
        updated = replace(self, user_edits=merged, tags=list(self.tags), metadata=dict(self.metadata))
        for name in USER_FIELDS:
            if name in merged:
                setattr(updated, name, list(merged[name]) if name == "tags" else merged[name])
        edited = parse_iso(merged.get("edited_at"))
        if edited and edited > updated.modified:
            updated.modified = edited
        deleted = parse_iso(merged.get("deleted_at"))
        if deleted:
            updated.deleted_at = deleted
        return updated


def artifact_json(record: ArtifactRecord) -> dict:
    """The artifact JSON of the API and of registry-index.json."""
    doc = {**artifact_doc(record), **flowtime_fields(record, record.file_names or [])}
    doc["relationships"] = {"derived_from": list(record.derived_from), "generates": list(record.generates)}
    return {key: doc[key] for key in ARTIFACT_KEYS}


# FlowTime's names (read by its Blazor and SvelteKit clients) sit beside ours: see README, "Naming".
FLOWTIME_KEYS = ("files", "totalSize", "lastModified")
ARTIFACT_KEYS = ("id", "type", "title", "description", "created", "modified", "tags", "source", "schema_version",
                 "capabilities", "relationships", "path", "size_bytes", "size_mb", "file_count", "series_count",
                 "metadata", "deleted_at", "series_summary", "duplicate_of", "verification", *FLOWTIME_KEYS)


def flowtime_fields(record: ArtifactRecord, file_names: list[str]) -> dict:
    """FlowTime's artifact fields: `files` (relative names), `totalSize` (bytes), `lastModified` (never null)."""
    return {"files": list(file_names), "totalSize": int(record.size_bytes),
            "lastModified": iso(record.modified or record.created)}


def artifact_doc(record: ArtifactRecord) -> dict:
    """The artifact JSON minus relationships (they change when other artifacts change).

    Rows whose file names are unknown (stored before migration 0008) get no FlowTime fields here;
    `app.registry.legacy_docs` completes such documents when they are served.
    """
    doc = {
        "id": record.id,
        "type": record.type,
        "title": record.title,
        "description": record.description,
        "created": iso(record.created),
        "modified": iso(record.modified),
        "tags": list(record.tags),
        "source": record.source,
        "schema_version": record.schema_version,
        "capabilities": list(record.capabilities),
        "path": record.path,
        "size_bytes": record.size_bytes,
        "size_mb": round(record.size_bytes / MEGABYTE, 3),
        "file_count": record.file_count,
        "series_count": record.series_count,
        "metadata": record.metadata,
        "deleted_at": iso(record.deleted_at),
        "series_summary": record.series_summary,
        "duplicate_of": record.duplicate_of,
        "verification": record.verification,
    }
    if record.file_names is not None:
        doc.update(flowtime_fields(record, record.file_names))
    return doc


def record_from_json(doc: dict) -> ArtifactRecord:
    """Rebuild a record from artifact JSON (our mirror format)."""
    relationships = doc.get("relationships") or {}
    return ArtifactRecord(
        id=doc["id"],
        type=doc.get("type", "run"),
        title=doc.get("title") or doc["id"],
        description=doc.get("description") or "",
        path=doc.get("path") or doc["id"],
        created=parse_iso(doc.get("created")) or utcnow(),
        modified=parse_iso(doc.get("modified")) or utcnow(),
        source=doc.get("source") or "engine",
        tags=[t for t in doc.get("tags") or [] if isinstance(t, str)],
        schema_version=doc.get("schema_version") or "v1",
        capabilities=list(doc.get("capabilities") or []),
        size_bytes=int(doc.get("size_bytes") or 0),
        file_count=int(doc.get("file_count") or 0),
        series_count=int(doc.get("series_count") or 0),
        metadata=doc.get("metadata") or {},
        derived_from=list(relationships.get("derived_from") or []),
        generates=list(relationships.get("generates") or []),
        deleted_at=parse_iso(doc.get("deleted_at")),
        file_names=file_names_from(doc.get("files")),
        series_summary=doc.get("series_summary") if isinstance(doc.get("series_summary"), dict) else None,
        duplicate_of=doc.get("duplicate_of") if isinstance(doc.get("duplicate_of"), str) else None,
        user_edits={VERIFICATION: doc["verification"]} if isinstance(doc.get("verification"), dict) else {},
    )


def file_names_from(value) -> list[str] | None:
    """FlowTime's `files` list (relative names), or None when the document has none."""
    if not isinstance(value, list):
        return None
    return [name for name in value if isinstance(name, str)]


def normalise_tags(tags: list[str]) -> list[str]:
    """Drop duplicates (case-sensitive, first wins) while keeping order."""
    seen: dict[str, None] = {}
    for tag in tags:
        if isinstance(tag, str) and TAG_PATTERN.match(tag):
            seen.setdefault(tag, None)
    return list(seen)


def label_problems(title=None, description=None, tags=None) -> dict[str, str]:
    """What is wrong with user-given labels, by field (empty when all are fine; None means not given)."""
    problems = {}
    if title is not None and (not isinstance(title, str) or not 1 <= len(title.strip()) <= TITLE_MAX):
        problems["title"] = f"must be 1..{TITLE_MAX} characters, not only spaces"
    if description is not None and (not isinstance(description, str) or len(description) > DESCRIPTION_MAX):
        problems["description"] = f"must be at most {DESCRIPTION_MAX:,} characters"
    if tags is not None and (not isinstance(tags, list) or len(tags) > TAGS_MAX
                             or not all(isinstance(t, str) and TAG_PATTERN.match(t) for t in tags)):
        problems["tags"] = f"must be a list of at most {TAGS_MAX} tags matching {TAG_PATTERN.pattern}"
    return problems


def check_labels(title=None, description=None, tags=None) -> None:
    """Raise a 400 naming each field whose label breaks the rule."""
    problems = label_problems(title, description, tags)
    if problems:
        first = next(iter(problems))
        raise ValidationFailed(f"{first} {problems[first]}", details={k: [v] for k, v in problems.items()})
