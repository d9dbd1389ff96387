"""Data directory -> artifact records: where artifact folders live and one reader per artifact type."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from app.errors import StorageRejected, StorageUnavailable
from app.registry.folders.described import read_described_folder
from app.registry.folders.descriptors import Unindexable
from app.registry.folders.run_reader import read_run
from app.registry.records import ArtifactRecord, artifact_doc
from app.storage import FileInfo, Storage
from app.storage.paths import is_artifact_id
from app.strictjson import NotStrictJSON, encode, printable

log = logging.getLogger(__name__)
# The storage itself is unreachable: not a fault of the folder, so the whole operation stops (and is retried).
UNREACHABLE = (StorageUnavailable, StorageRejected)

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


def layout_keys(artifact_id: str, artifact_type: str | None = None) -> list[str]:
    """Every key `<container>/<id>` where the layout holds an artifact of this id (and type, if given)."""
    if not is_artifact_id(artifact_id):
        return []
    return [f"{container}/{artifact_id}" if container else artifact_id
            for container, kind, accepts in LAYOUT
            if (artifact_type is None or kind == artifact_type) and accepts(artifact_id)]


def is_artifact_key(path: object, artifact_id: str, artifact_type: str | None = None) -> bool:
    """True only when `path` is exactly an artifact folder of this id in the layout (what purge may remove)."""
    return isinstance(path, str) and path in layout_keys(artifact_id, artifact_type)


def iter_candidates(storage: Storage) -> Iterator[Candidate]:
    """Every folder the layout says is an artifact (valid ids only)."""
    for container, artifact_type, accepts in LAYOUT:
        for name in storage.list_folders(container):
            if accepts(name) and is_artifact_id(name):
                key = f"{container}/{name}" if container else name
                yield Candidate(key=key, artifact_id=name, type=artifact_type)


def fingerprint(files: list[FileInfo]) -> str:
    """A digest of names, sizes and mtimes: equal when nothing in the folder changed."""
    digest = hashlib.sha1(usedforsecurity=False)
    for info in files:
        digest.update(f"{info.name}\0{info.size}\0{info.mtime:.6f}\n".encode())
    return digest.hexdigest()


@contextmanager
def folder_failures(key: str) -> Iterator[None]:
    """Whatever reading one folder raises becomes Unindexable with a reason (unreachable storage excepted)."""
    try:
        yield
    except (Unindexable, *UNREACHABLE):
        raise
    except Exception as exc:
        log.warning("cannot index %s: %s: %s", key, type(exc).__name__, printable(str(exc))[:300])
        raise Unindexable(f"cannot be read ({type(exc).__name__}: {printable(str(exc))[:200]})") from exc


def read_candidate(storage: Storage, candidate: Candidate, files: list[FileInfo] | None = None) -> ArtifactRecord:
    """Read one artifact folder into a record the database can store; raises Unindexable with a reason."""
    with folder_failures(candidate.key):
        if files is None:
            files = storage.list_files(candidate.key)
        if not files:
            raise Unindexable("empty folder")
        reader = READERS[candidate.type]
        record = reader(storage, candidate.key, files)
        record.fingerprint = fingerprint(files)
        record.file_names = [f.name for f in files]
        _check_storable(record)
        return record


def _check_storable(record: ArtifactRecord) -> None:
    """The record as the database will hold it is strict JSON (text, finite numbers, JSON types only)."""
    doc = {**artifact_doc(record), "derived_from": record.derived_from}
    try:
        encode(doc)
    except (NotStrictJSON, TypeError, ValueError) as exc:
        raise Unindexable(f"the folder's metadata cannot be stored: {printable(str(exc))[:200]}") from None


READERS: dict[str, Callable[[Storage, str, list[FileInfo]], ArtifactRecord]] = {
    "run": read_run,
    "model": read_described_folder,
    "telemetry": read_described_folder,
}

__all__ = ["Candidate", "Unindexable", "iter_candidates", "read_candidate", "fingerprint", "folder_failures",
           "READERS", "UNREACHABLE", "is_artifact_key", "layout_keys"]
