"""Registry repository: metadata rows in and out (no commits here; the caller owns the transaction)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from functools import cached_property
from operator import itemgetter

from sqlalchemy import BigInteger, Connection, Text, bindparam, cast, delete, func, insert, select, update

from app.registry.records import ArtifactRecord, artifact_doc, utcnow
from app.registry.search import search_backend
from app.registry.tables import artifact_tags, artifacts, registry_state, relationships, skipped_folders

ROW_COLUMNS = [c for c in artifacts.c if c.name not in ("seq", "doc")]
# Statements of the hot paths, built once (building a select costs more than running it).
_ROW_BY_ID = select(*ROW_COLUMNS).where(artifacts.c.id == bindparam("artifact_id"))
_LINKS_OF = (select(relationships.c.source_id, relationships.c.target_id)
             .where(relationships.c.source_id.in_(bindparam("sources", expanding=True))
                    | relationships.c.target_id.in_(bindparam("targets", expanding=True)))
             .order_by(relationships.c.source_id, relationships.c.target_id))
_NO_LINKS = ', "relationships": ' + json.dumps({"derived_from": [], "generates": []}) + "}"
_INSERT_TAG_BY_ID = insert(artifact_tags).values(
    tag=bindparam("tag"),
    artifact_seq=select(artifacts.c.seq).where(artifacts.c.id == bindparam("artifact_id")).scalar_subquery(),
)


def _row_values(record: ArtifactRecord) -> dict:
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
        "search_text": " ".join(_search_terms(record)),
        "metadata_json": json.dumps(record.metadata, sort_keys=True),
        "user_edits": json.dumps(record.user_edits, sort_keys=True),
        "template_id": record.template_id,
        "model_id": record.model_id,
        "archived": record.archived,
        "deleted_at": record.deleted_at,
        "fingerprint": record.fingerprint,
        "doc": json.dumps(artifact_doc(record), ensure_ascii=False),
        "file_names": None if record.file_names is None else json.dumps(record.file_names, ensure_ascii=False),
    }


def _search_terms(record: ArtifactRecord) -> list[str]:
    meta = record.metadata
    return list(dict.fromkeys([*(meta.get("series") or []), *(meta.get("nodes") or [])]))


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
    )


class SqlRegistry:
    """The registry's metadata rows over one SQLAlchemy connection (inside a transaction)."""

    def __init__(self, connection: Connection):
        self.connection = connection

    @cached_property
    def search(self):
        """The dialect's search index (only inserts need it)."""
        return search_backend(self.connection.dialect.name)

    # -- artifacts -----------------------------------------------------------------------------
    def get(self, artifact_id: str) -> ArtifactRecord | None:
        """One artifact (deleted ones included) with its relationships, or None."""
        row = self.connection.execute(_ROW_BY_ID, {"artifact_id": artifact_id}).first()
        if row is None:
            return None
        return self.with_relationships([record_from_row(row)])[0]

    def get_many(self, ids: Iterable[str]) -> dict[str, ArtifactRecord]:
        """Records by id for the ids that exist."""
        ids = list(ids)
        found: dict[str, ArtifactRecord] = {}
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start:chunk_start + 500]
            rows = self.connection.execute(select(*ROW_COLUMNS).where(artifacts.c.id.in_(chunk)))
            for row in rows:
                found[row.id] = record_from_row(row)
        return found

    def add(self, record: ArtifactRecord) -> None:
        """Insert a new artifact with its tags and outgoing relationships."""
        result = self.connection.execute(insert(artifacts).values(**_row_values(record)))
        seq = result.inserted_primary_key[0]
        self.search.index_new_rows(self.connection, seq)
        self._write_tags(seq, record.tags)
        self.set_derived_from(record.id, record.derived_from)

    def add_many(self, records: list[ArtifactRecord]) -> None:
        """Insert many new artifacts with three executemany statements (rows, tags, links)."""
        if not records:
            return
        # No RETURNING: with it, SQLAlchemy runs one INSERT per row to keep seqs in parameter order.
        # New seqs are above the current maximum (the write lock is held), so one statement indexes them.
        first_seq = self.connection.execute(select(func.coalesce(func.max(artifacts.c.seq), 0))).scalar_one() + 1
        self.connection.execute(insert(artifacts), [_row_values(r) for r in records])
        self.search.index_new_rows(self.connection, first_seq)
        tags = [{"tag": t, "artifact_id": r.id} for r in records for t in r.tags]
        links = [{"source_id": r.id, "target_id": t, "kind": "derived_from"}
                 for r in records for t in dict.fromkeys(r.derived_from) if t != r.id]
        if tags:
            self.connection.execute(_INSERT_TAG_BY_ID, tags)
        if links:
            self.connection.execute(insert(relationships), links)

    def save(self, record: ArtifactRecord) -> None:
        """Replace the stored row of an existing artifact (tags and outgoing links included)."""
        self.connection.execute(
            update(artifacts).where(artifacts.c.id == record.id).values(**_row_values(record))
        )
        seq = self.connection.execute(select(artifacts.c.seq).where(artifacts.c.id == record.id)).scalar_one()
        self.connection.execute(delete(artifact_tags).where(artifact_tags.c.artifact_seq == seq))
        self._write_tags(seq, record.tags)
        self.set_derived_from(record.id, record.derived_from)

    def remove(self, artifact_id: str) -> None:
        """Delete the row permanently (purge), with its tags and links."""
        self.connection.execute(delete(artifacts).where(artifacts.c.id == artifact_id))
        self.connection.execute(
            delete(relationships).where(
                (relationships.c.source_id == artifact_id) | (relationships.c.target_id == artifact_id)
            )
        )

    def _write_tags(self, seq: int, tags: list[str]) -> None:
        if tags:
            self.connection.execute(insert(artifact_tags), [{"tag": t, "artifact_seq": seq} for t in tags])

    def fingerprints(self) -> dict[str, tuple[str, str, bool]]:
        """id -> (path, fingerprint, deleted) for every row: what a rescan compares against."""
        rows = self.connection.execute(
            select(artifacts.c.id, artifacts.c.path, artifacts.c.fingerprint, artifacts.c.deleted_at)
        )
        return {r.id: (r.path, r.fingerprint, r.deleted_at is not None) for r in rows}

    def iter_all(self, batch: int = 2000) -> Iterator[ArtifactRecord]:
        """Every artifact, deleted included, ordered by id, with relationships."""
        links = self._all_links()
        rows = self.connection.execute(select(*ROW_COLUMNS).order_by(artifacts.c.id)).yield_per(batch)
        for row in rows:
            record = record_from_row(row)
            record.derived_from = links[0].get(record.id, [])
            record.generates = links[1].get(record.id, [])
            yield record

    def iter_documents(self) -> Iterator[str]:
        """Every artifact as its JSON text (deleted included, ordered by id), relationships spliced in."""
        derived, generates = self._all_links()
        # Read in storage order (a walk of the id index would fetch rows in random order) and sort here.
        rows = self.connection.execute(select(artifacts.c.id, artifacts.c.doc)).all()
        rows.sort(key=itemgetter(0))
        for artifact_id, doc in rows:
            yield self._document(artifact_id, doc, derived, generates)

    def documents(self, keys: list[tuple[int, str]]) -> list[str]:
        """The JSON text of a page of artifacts, given as (seq, id) in page order."""
        if not keys:
            return []
        docs = dict(self.connection.execute(
            select(artifacts.c.seq, artifacts.c.doc).where(artifacts.c.seq.in_([seq for seq, _ in keys]))).all())
        derived, generates = self._links_of([artifact_id for _, artifact_id in keys])
        return [self._document(artifact_id, docs.get(seq, ""), derived, generates) for seq, artifact_id in keys]

    def _document(self, artifact_id: str, doc: str, derived: dict, generates: dict) -> str:
        if not doc:  # written before the doc column existed: serialise the slow way
            doc = json.dumps(artifact_doc(self.get(artifact_id)), ensure_ascii=False)
        sources, targets = derived.get(artifact_id), generates.get(artifact_id)
        if not sources and not targets:
            return doc[:-1] + _NO_LINKS  # most artifacts: skip the encoder
        links = json.dumps({"derived_from": sources or [], "generates": targets or []})
        return doc[:-1] + ', "relationships": ' + links + "}"

    # -- relationships --------------------------------------------------------------------------
    def set_derived_from(self, source_id: str, targets: list[str]) -> None:
        """Replace the outgoing derived_from links of one artifact."""
        self.connection.execute(delete(relationships).where(relationships.c.source_id == source_id))
        unique = [t for t in dict.fromkeys(targets) if t != source_id]
        if unique:
            self.connection.execute(
                insert(relationships),
                [{"source_id": source_id, "target_id": t, "kind": "derived_from"} for t in unique],
            )

    def with_relationships(self, records: list[ArtifactRecord]) -> list[ArtifactRecord]:
        """Fill derived_from and generates for a page of records."""
        derived, generates = self._links_of([r.id for r in records])
        for record in records:
            record.derived_from = derived.get(record.id, [])
            record.generates = generates.get(record.id, [])
        return records

    def _links_of(self, ids: list[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """(derived_from, generates) by id for the given artifacts."""
        derived: dict[str, list[str]] = {}
        generates: dict[str, list[str]] = {}
        if not ids:
            return derived, generates
        wanted = set(ids)
        rows = self.connection.execute(_LINKS_OF, {"sources": ids, "targets": ids}).all()
        for source, target in rows:
            if source in wanted:
                derived.setdefault(source, []).append(target)
            if target in wanted:
                generates.setdefault(target, []).append(source)
        return derived, generates

    def _all_links(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        derived: dict[str, list[str]] = {}
        generates: dict[str, list[str]] = {}
        rows = self.connection.execute(
            select(relationships.c.source_id, relationships.c.target_id)
            .order_by(relationships.c.source_id, relationships.c.target_id)
        )
        for source, target in rows:
            derived.setdefault(source, []).append(target)
            generates.setdefault(target, []).append(source)
        return derived, generates

    # -- state ----------------------------------------------------------------------------------
    def snapshot(self) -> tuple[str, int]:
        """(epoch, generation): identifies the registry's exact state, for caches."""
        rows = dict(self.connection.execute(
            select(registry_state.c.key, registry_state.c.value)
            .where(registry_state.c.key.in_(("epoch", "generation")))).all())
        return rows.get("epoch", ""), int(rows.get("generation", 0))

    def new_epoch(self) -> None:
        """Mark a wholesale rebuild: caches keyed by the old epoch never match again."""
        self.set_state("epoch", uuid.uuid4().hex)

    def generation(self) -> int:
        """The number of committed changes so far."""
        return int(self.state("generation") or 0)

    def bump_generation(self) -> int:
        """Count one more committed change (call inside every write transaction)."""
        self.connection.execute(
            update(registry_state).where(registry_state.c.key == "generation")
            .values(value=cast(cast(registry_state.c.value, BigInteger) + 1, Text))
        )
        return self.generation()

    def state(self, key: str) -> str | None:
        """One registry_state value."""
        return self.connection.execute(
            select(registry_state.c.value).where(registry_state.c.key == key)
        ).scalar_one_or_none()

    def set_state(self, key: str, value: str) -> None:
        """Insert or replace one registry_state value."""
        updated = self.connection.execute(
            update(registry_state).where(registry_state.c.key == key).values(value=value)
        )
        if updated.rowcount == 0:
            self.connection.execute(insert(registry_state).values(key=key, value=value))

    # -- skipped folders ------------------------------------------------------------------------
    def replace_skipped(self, skipped: list[tuple[str, str]]) -> None:
        """Record the folders the last scan could not index, with reasons."""
        self.connection.execute(delete(skipped_folders))
        if skipped:
            now = utcnow()
            self.connection.execute(
                insert(skipped_folders), [{"path": p, "reason": r, "seen_at": now} for p, r in skipped]
            )

    def add_skipped(self, path: str, reason: str) -> None:
        """Record (or refresh) one skipped folder."""
        self.connection.execute(delete(skipped_folders).where(skipped_folders.c.path == path))
        self.connection.execute(insert(skipped_folders).values(path=path, reason=reason, seen_at=utcnow()))

    def skipped(self) -> list[dict]:
        """Folders that could not be indexed: [{"path", "reason"}]."""
        rows = self.connection.execute(select(skipped_folders).order_by(skipped_folders.c.path))
        return [{"path": r.path, "reason": r.reason} for r in rows]
