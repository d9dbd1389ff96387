"""Data directory -> artifact records: where artifact folders live and one reader per artifact type."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from app.registry.records import (
    ARTIFACT_TYPES,
    CAPABILITIES,
    SOURCES,
    ArtifactRecord,
    from_timestamp,
    normalise_tags,
    parse_iso,
    utcnow,
)
from app.registry.run_reader import Unindexable, read_json, read_run
from app.storage import FileInfo, Storage
from app.storage.paths import ARTIFACT_ID_PATTERN

# (container folder, artifact type, folder-name filter); "" is the data directory itself.
LAYOUT = (
    ("", "run", lambda name: name.startswith("run_")),
    ("runs", "run", lambda name: True),
    ("models", "model", lambda name: True),
    ("telemetry", "telemetry", lambda name: True),
)


@dataclass(frozen=True)
class Candidate:
    """A folder that should hold an artifact: its key, id and expected type."""

    key: str
    artifact_id: str
    type: str


def iter_candidates(storage: Storage) -> Iterator[Candidate]:
    """Every folder the layout says is an artifact (valid ids only)."""
    for container, artifact_type, accepts in LAYOUT:
        for name in storage.list_folders(container):
            if accepts(name) and ARTIFACT_ID_PATTERN.match(name):
                key = f"{container}/{name}" if container else name
                yield Candidate(key=key, artifact_id=name, type=artifact_type)


def fingerprint(files: list[FileInfo]) -> str:
    """A digest of names, sizes and mtimes: equal when nothing in the folder changed."""
    digest = hashlib.sha1(usedforsecurity=False)
    for info in files:
        digest.update(f"{info.name}\0{info.size}\0{info.mtime:.6f}\n".encode())
    return digest.hexdigest()


def read_candidate(storage: Storage, candidate: Candidate, files: list[FileInfo] | None = None) -> ArtifactRecord:
    """Read one artifact folder; raises Unindexable with a reason."""
    if files is None:
        files = storage.list_files(candidate.key)
    if not files:
        raise Unindexable("empty folder")
    reader = READERS[candidate.type]
    record = reader(storage, candidate.key, files)
    record.fingerprint = fingerprint(files)
    record.file_names = [f.name for f in files]
    return record


def read_described_folder(storage: Storage, key: str, files: list[FileInfo]) -> ArtifactRecord:
    """Model and telemetry folders: indexed from their metadata.json."""
    names = {f.name for f in files}
    if "metadata.json" not in names:
        raise Unindexable("no metadata.json")
    doc, error = read_json(storage, f"{key}/metadata.json")
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
        title=str(doc.get("title") or artifact_id)[:200],
        description=str(doc.get("description") or ""),
        created=created, modified=from_timestamp(max(f.mtime for f in files)),
        source=doc.get("source") if doc.get("source") in SOURCES else "import",
        tags=normalise_tags([t for t in doc.get("tags") or [] if isinstance(t, str)]),
        capabilities=list(CAPABILITIES[artifact_type]),
        size_bytes=sum(f.size for f in files), file_count=len(files), series_count=len(series),
        metadata=extra, derived_from=derived,
    )


READERS: dict[str, Callable[[Storage, str, list[FileInfo]], ArtifactRecord]] = {
    "run": read_run,
    "model": read_described_folder,
    "telemetry": read_described_folder,
}

__all__ = ["Candidate", "Unindexable", "iter_candidates", "read_candidate", "fingerprint", "READERS"]
