"""registry-index.json: the snapshot half of the mirror, a complete, portable copy of the registry.

The database is the source of truth. Each committed change bumps `generation` and is appended to the
journal (app.registry.journal); app.registry.mirror_writer rewrites this snapshot at a bounded rate.
This module owns the snapshot's format: writing it from the database, reading it, its header.
"""

from __future__ import annotations

import fcntl
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.db import Database
from app.registry.store.repository import ArtifactRepository
from app.storage import Storage
from app.strictjson import OWN_FILE_DEPTH
from app.strictjson import loads as strict_loads
from app.timefmt import iso, utcnow

INDEX_NAME = "registry-index.json"
INDEX_VERSION = "1.0.0"
FOREIGN_BACKUP = "registry-index.json.dotnet-backup"
_HEADER_GENERATION = re.compile(rb'^\{\s*"version":[^{}]*?"generation":\s*(\d{1,19})\b')
_HEADER_REGISTRY = re.compile(rb'^\{\s*"version":[^{}]*?"registry":\s*"([0-9a-f]{1,64})"')
AHEAD_STATE = "mirror_ahead"  # registry_state: the generation of a mirror found ahead of the database


class MirrorAhead(RuntimeError):
    """registry-index.json is at a later generation than the database: the database lost commits."""


@contextmanager
def file_lock(path: Path, blocking: bool = True) -> Iterator[bool]:
    """Hold an exclusive flock on `path` (created if missing, never replaced); yields False if busy."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_index(db: Database, storage: Storage) -> int:
    """Export the database to registry-index.json as one consistent snapshot; returns its generation."""
    with db.read() as connection:
        registry = ArtifactRepository(connection)
        generation = registry.generation()
        registry_id = registry.state("registry_id") or ""
        documents = list(registry.iter_documents())
    with storage.write_file(INDEX_NAME) as handle:
        handle.write(_header(generation, len(documents), registry_id).encode())
        for start in range(0, len(documents), 1000):
            prefix = "\n    " if start == 0 else ",\n    "
            handle.write((prefix + ",\n    ".join(documents[start:start + 1000])).encode())
        handle.write(("\n  ]\n}\n" if documents else "]\n}\n").encode())
    return generation


_ENDINGS = (b"\n  ]\n}\n", b"]\n}\n")  # what write_index ends the file with (with artifacts, without)


def index_is_whole(storage: Storage) -> bool:
    """Whether registry-index.json reads as a snapshot, checked at the cost of its first and last bytes.

    A file written by write_index (atomically replaced) is whole when its header and its ending are: a
    truncated copy loses the ending, garbage the header. Parsing all of it cost 170 s and 5.7 GB at 1M
    artifacts, at every start-up. Any other file (the .NET engine's index, a foreign one) is parsed."""
    if mirror_generation(storage) is None:
        return read_index(storage) is not None
    try:
        size = storage.stat(INDEX_NAME).size
        tail = b"".join(storage.iter_range(INDEX_NAME, max(0, size - 16), 16))
    except Exception:  # vanished or unreadable since the header was read
        return False
    return tail.endswith(_ENDINGS)


def _header(generation: int, count: int, registry_id: str) -> str:
    head = {"version": INDEX_VERSION, "updated": iso(utcnow()), "generation": generation, "artifact_count": count,
            "registry": registry_id}
    body = json.dumps(head, indent=2)[:-2]  # drop the closing "\n}" so the artifacts list can follow
    return body + ',\n  "artifacts": ['


def read_index(storage: Storage) -> dict | None:
    """The current registry-index.json (ours or the .NET format), or None if missing or unreadable."""
    try:
        doc = strict_loads(storage.read_bytes(INDEX_NAME).decode("utf-8-sig"), max_depth=OWN_FILE_DEPTH)
    except Exception:  # missing, truncated, not (strict) JSON: kept aside and regenerated from the database
        return None
    return doc if isinstance(doc, dict) else None


def mirror_generation(storage: Storage) -> int | None:
    """The generation in registry-index.json's header (its first bytes only), or None (missing, not ours)."""
    try:
        head = storage.read_bytes(INDEX_NAME, limit=256)
    except Exception:  # missing or unreadable: nothing to compare
        return None
    match = _HEADER_GENERATION.match(head)
    return int(match.group(1)) if match else None


def mirror_registry(storage: Storage) -> str | None:
    """The registry id in registry-index.json's header, or None (missing, older or foreign format)."""
    try:
        match = _HEADER_REGISTRY.match(storage.read_bytes(INDEX_NAME, limit=512))
    except Exception:  # missing or unreadable
        return None
    return match.group(1).decode() if match else None


def looks_complete(storage: Storage) -> bool:
    """A cheap check that the mirror is ours and not cut short (a full parse costs seconds at 100k)."""
    try:
        info = storage.stat(INDEX_NAME)
        with storage.open(INDEX_NAME) as handle:
            head = handle.read(64)
            handle.seek(max(0, info.size - 16))
            tail = handle.read()
    except Exception:  # missing or unreadable: rewrite it
        return False
    return head.startswith(b'{\n  "version"') and tail.rstrip().endswith(b"]\n}")


def preserve_foreign_index(storage: Storage) -> None:
    """Keep an index we did not write (the FlowTime .NET one) as a backup before replacing it."""
    try:
        head = storage.read_bytes(INDEX_NAME, limit=64)
    except Exception:  # no index yet: nothing to preserve
        return
    if b'"version"' not in head and not storage.exists(FOREIGN_BACKUP):
        storage.write_bytes(FOREIGN_BACKUP, storage.read_bytes(INDEX_NAME))
