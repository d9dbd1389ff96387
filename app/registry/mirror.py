"""registry-index.json: the snapshot half of the mirror, a complete, portable copy of the registry.

The database is the source of truth. Each committed change bumps `generation` and is appended to the
journal (app.registry.journal); app.registry.mirror_writer rewrites this snapshot at a bounded rate.
This module owns the snapshot's format: writing it from the database, reading it, its header.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from contextlib import suppress
from itertools import islice

from app.db import Database
from app.registry.store.repository import ArtifactRepository
from app.registry.store.rewrites import rewritten_since
from app.storage import Storage
from app.strictjson import OWN_FILE_DEPTH
from app.strictjson import loads as strict_loads
from app.timefmt import iso, utcnow

INDEX_NAME = "registry-index.json"
INDEX_VERSION = "1.0.0"
FOREIGN_BACKUP = "registry-index.json.dotnet-backup"
_HEADER_GENERATION = re.compile(rb'^\{\s*"version":[^{}]*?"generation":\s*(\d{1,19})\b')
_HEADER_REGISTRY = re.compile(rb'^\{\s*"version":[^{}]*?"registry":\s*"([0-9a-f]{1,64})"')
_DOCUMENT_ID = re.compile(rb'^    \{"id": "([^"\\]+)"')
_LIST_END = b"\n  ]\n}\n"  # how write_index ends a non-empty artifacts list
COPY_BLOCK = 1024 * 1024
FLUSH_EVERY = 32 * 1024 * 1024
PATCH_MOST = 50_000  # documents a patch rewrites at most; beyond, the full export costs about as much
AHEAD_STATE = "mirror_ahead"  # registry_state: the generation of a mirror found ahead of the database


class SnapshotUnreadable(ValueError):
    """registry-index.json is not laid out as write_index writes it (the patch falls back to a full export)."""


class MirrorAhead(RuntimeError):
    """registry-index.json is at a later generation than the database: the database lost commits."""


def write_index(db: Database, storage: Storage) -> int:
    """Export the database to registry-index.json as one consistent snapshot; returns its generation."""
    with db.read() as connection:
        registry = ArtifactRepository(connection)
        generation = registry.generation()
        registry_id = registry.state("registry_id") or ""
        documents = list(registry.iter_documents())
    _write(storage, generation, registry_id, len(documents), iter(documents))
    return generation


def patch_index(db: Database, storage: Storage) -> int | None:
    """Bring registry-index.json up to the database by rewriting only the documents changed since its generation.

    The old snapshot's documents are one per line in id order: each changed one is found by a binary search
    and the lines between them are copied as they are, so a patch costs its changes plus a file copy. The
    result is what write_index would write. None when it cannot patch: the snapshot is not ours or not
    whole, or a commit since was not itemised (a rescan, an import) or there are too many."""
    base, snapshot_registry = mirror_generation(storage), mirror_registry(storage) or ""
    if base is None or not looks_complete(storage):
        return None
    with db.read() as connection:
        registry = ArtifactRepository(connection)
        generation, registry_id = registry.generation(), registry.state("registry_id") or ""
        ids = rewritten_since(connection, registry, base, PATCH_MOST)
        if ids is None or generation < base or snapshot_registry != registry_id:
            return None
        changed = sorted(registry.snapshot_documents(ids).items())
        count = registry.count_all()
    with storage.open(INDEX_NAME) as old:
        lines = SortedLines(old, storage.stat(INDEX_NAME).size)
        units, old_count = lines.merge_plan(changed), lines.header_count()
        present = sum(1 for unit in units if isinstance(unit, str))
        replaced = sum(1 for artifact_id, _ in changed if lines.holds(artifact_id))
        if old_count - replaced + present != count:
            raise SnapshotUnreadable(f"{old_count} documents, {replaced} replaced, {present} written: "
                                     f"the database holds {count}")
        with storage.write_file(INDEX_NAME) as raw:
            handle = _Paced(raw)
            handle.write(_header(generation, count, registry_id).encode())
            lines.write(handle, units)
    return generation


class SortedLines:
    """The artifacts list of a snapshot write_index wrote, read by offset: one document per line, in id order."""

    def __init__(self, handle, size: int):
        self.handle = handle
        self._found: dict[str, bool] = {}
        head = handle.read(4096)
        if b'"artifacts": []\n' in head:
            self.start = self.end = head.index(b'"artifacts": []\n') + len(b'"artifacts": [')
            self.empty = True
            self._head = head
            return
        marker = head.find(b'"artifacts": [\n')
        handle.seek(max(0, size - len(_LIST_END)))
        if marker < 0 or handle.read() != _LIST_END:  # e.g. a copy saved without its last newline
            raise SnapshotUnreadable("not laid out as write_index writes it")
        self.start, self.end, self.empty, self._head = marker + len(b'"artifacts": [\n'), size - len(_LIST_END) + 1, False, head

    def header_count(self) -> int:
        match = re.search(rb'"artifact_count":\s*(\d+)', self._head[:self.start])
        if match is None:
            raise SnapshotUnreadable("no artifact_count in the header")
        return int(match.group(1))

    def holds(self, artifact_id: str) -> bool:
        return not self.empty and self._found.get(artifact_id, False)

    def merge_plan(self, changed: list[tuple[str, str | None]]) -> list:
        """(start, end) byte ranges of old lines to copy and new documents (str), in output order."""
        units: list = []
        cursor = self.start
        for artifact_id, document in changed:
            position, line_end, found = self._lower_bound(artifact_id, cursor) if not self.empty else (cursor, cursor, False)
            self._found[artifact_id] = found
            if position > cursor:
                units.append((cursor, position))
            cursor = line_end if found else position
            if document is not None:
                units.append(document)
        if not self.empty and cursor < self.end:
            units.append((cursor, self.end))
        return units

    def write(self, out, units: list) -> None:
        """The artifacts list and the file's ending, documents separated as write_index separates them."""
        for number, unit in enumerate(units):
            out.write(b"\n    " if number == 0 else b",\n    ")
            if isinstance(unit, str):
                out.write(unit.encode())
            else:
                self._copy(out, unit[0] + 4, unit[1] - self._terminator(unit[1]))
        out.write(b"\n  ]\n}\n" if units else b"]\n}\n")

    def _terminator(self, line_end: int) -> int:
        self.handle.seek(line_end - 2)
        return 2 if self.handle.read(2) == b",\n" else 1

    def _copy(self, out, start: int, end: int) -> None:
        self.handle.seek(start)
        while start < end:
            block = self.handle.read(min(COPY_BLOCK, end - start))
            if not block:
                raise SnapshotUnreadable("the snapshot ended early")
            out.write(block)
            start += len(block)

    def _lower_bound(self, target: str, low: int) -> tuple[int, int, bool]:
        """The first line at or after `low` whose id is not below `target`: (its offset, its end, id equal)."""
        high = self.end  # lines before `low` hold lower ids; the line at `high` (or the end) does not
        while low < high:
            start = self._next_line((low + high) // 2)
            if start >= high:  # no line starts in the upper half: look at the line at `low`
                artifact_id, line_end = self._line(low)
                if artifact_id >= target:
                    return low, line_end, artifact_id == target
                low = line_end
                continue
            artifact_id, line_end = self._line(start)
            if artifact_id < target:
                low = line_end
            else:
                high = start
        if low >= self.end:
            return low, low, False
        artifact_id, line_end = self._line(low)
        return low, line_end, artifact_id == target

    def _next_line(self, position: int) -> int:
        if position <= self.start:
            return self.start
        self.handle.seek(position - 1)
        return position - 1 + len(self.handle.readline())

    def _line(self, offset: int) -> tuple[str, int]:
        self.handle.seek(offset)
        line = self.handle.readline()
        match = _DOCUMENT_ID.match(line)
        if match is None:
            raise SnapshotUnreadable(f"a document without a leading id at byte {offset}")
        return match.group(1).decode(), offset + len(line)


class _Paced:
    """A file written with a data sync every FLUSH_EVERY bytes: a snapshot of 1.4 GB written in one go left
    that much dirty, and the journal's fdatasync (each acknowledged write) queued behind its writeback."""

    def __init__(self, handle):
        self.handle, self.unsynced = handle, 0

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.unsynced += len(data)
        if self.unsynced >= FLUSH_EVERY:
            self.handle.flush()
            with suppress(AttributeError, OSError, io.UnsupportedOperation):  # a spool without a descriptor
                os.fdatasync(self.handle.fileno())
            self.unsynced = 0


def _write(storage: Storage, generation: int, registry_id: str, count: int, documents: Iterator) -> None:
    with storage.write_file(INDEX_NAME) as raw:
        handle = _Paced(raw)
        handle.write(_header(generation, count, registry_id).encode())
        written = 0
        for batch in iter(lambda: list(islice(documents, 1000)), []):
            prefix = "\n    " if written == 0 else ",\n    "
            texts = [d.encode() if isinstance(d, str) else d for d in batch]
            handle.write(prefix.encode() + b",\n    ".join(texts))
            written += len(texts)
        handle.write(b"\n  ]\n}\n" if written else b"]\n}\n")
        if written != count:
            raise SnapshotUnreadable(f"{written} documents where the database holds {count}")


def index_is_whole(storage: Storage) -> bool:
    """Whether registry-index.json reads as a snapshot: ours by its first and last bytes, any other by a parse.

    A file write_index wrote (atomically replaced) is whole when its header and its ending are: a truncated
    copy loses the ending, garbage the header. Parsing it cost 170 s and 5.7 GB at 1M artifacts at every
    start-up. The .NET engine's index (or anything else) is parsed."""
    if mirror_generation(storage) is None:
        return read_index(storage) is not None
    return looks_complete(storage)


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
