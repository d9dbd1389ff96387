"""Registry repository: metadata rows in and out (no commits here; the caller owns the transaction)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cached_property
from operator import itemgetter
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from app.registry.records import ArtifactRecord, artifact_doc
from app.registry.store import counters
from app.registry.store.duplicates import settle_groups
from app.registry.store.history import all_history, with_history
from app.registry.store.rows import ROW_COLUMNS, record_from_row, row_values
from app.registry.store.search import search_backend
from app.registry.store.series import write_stats
from app.registry.store.state import SkippedRows, StateRows
from app.registry.store.tables import (
    artifact_changes,
    artifact_counts,
    artifact_history,
    artifact_series_stats,
    artifact_tags,
    artifacts,
    relationships,
    skipped_folders,
    snapshot_rewrites,
)
from app.registry.store.tracking import ChangeTracker, stored_state

# Statements of the hot paths, built once (building a select costs more than running it).
_ROW_BY_ID = select(*ROW_COLUMNS).where(artifacts.c.id == bindparam("artifact_id"))
_LINKS_OF = (select(relationships.c.source_id, relationships.c.target_id)
             .where(relationships.c.source_id.in_(bindparam("sources", expanding=True))
                    | relationships.c.target_id.in_(bindparam("targets", expanding=True)))
             .order_by(relationships.c.source_id, relationships.c.target_id))
_NO_LINKS = ', "relationships": ' + json.dumps({"derived_from": [], "generates": []}) + "}"
_STATE_BY_ID = select(artifacts.c.seq, artifacts.c.scenario_hash, artifacts.c.title, artifacts.c.description,
                      artifacts.c.tags_json, artifacts.c.deleted_at, artifacts.c.user_edits, artifacts.c.created,
                      artifacts.c.series_summary).where(
    artifacts.c.id == bindparam("artifact_id"))
_INSERT_TAG_BY_ID = insert(artifact_tags).values(
    tag=bindparam("tag"),
    artifact_seq=select(artifacts.c.seq).where(artifacts.c.id == bindparam("artifact_id")).scalar_subquery(),
)


class KnownFolder(NamedTuple):
    """What the registry last read from an artifact's folder."""

    path: str
    fingerprint: str
    deleted: bool


class ArtifactRepository(StateRows, SkippedRows):
    """The registry's metadata rows over one SQLAlchemy connection (inside a transaction)."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.tracker = ChangeTracker()

    @property
    def touched(self) -> set[str]:
        """Ids whose row changed in this transaction (for the journal)."""
        return self.tracker.touched

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
        self.tracker.created([record.id])
        values = row_values(record)
        result = self.connection.execute(insert(artifacts).values(**values))
        counters.apply(self.connection, counters.values_keys(values))
        seq = result.inserted_primary_key[0]
        self.search.index_new_rows(self.connection, seq)
        self._write_tags(seq, record.tags)
        self.set_derived_from(record.id, record.derived_from)
        write_stats(self.connection, [(seq, record.series_summary)])
        self.tracker.rewritten.update(settle_groups(self.connection, [record.scenario_hash]))

    def add_many(self, records: list[ArtifactRecord]) -> None:
        """Insert many new artifacts with three executemany statements (rows, tags, links)."""
        if not records:
            return
        self.tracker.created(r.id for r in records)
        # No RETURNING: with it, SQLAlchemy runs one INSERT per row to keep seqs in parameter order.
        # New seqs are above the current maximum (the write lock is held), so one statement indexes them.
        first_seq = self.connection.execute(select(func.coalesce(func.max(artifacts.c.seq), 0))).scalar_one() + 1
        rows = [row_values(r) for r in records]
        self.connection.execute(insert(artifacts), rows)
        counters.apply(self.connection, sum((counters.values_keys(v) for v in rows), Counter()))
        self.search.index_new_rows(self.connection, first_seq)
        tags = [{"tag": t, "artifact_id": r.id} for r in records for t in r.tags]
        links = [{"source_id": r.id, "target_id": t, "kind": "derived_from"}
                 for r in records for t in dict.fromkeys(r.derived_from) if t != r.id]
        if tags:
            self.connection.execute(_INSERT_TAG_BY_ID, tags)
        if links:
            self.connection.execute(insert(relationships), links)
            self.tracker.rewritten.update(link["target_id"] for link in links)
        summarised = [r for r in records if r.series_summary]
        if summarised:
            seqs = dict(self.connection.execute(
                select(artifacts.c.id, artifacts.c.seq).where(artifacts.c.seq >= first_seq)).all())
            write_stats(self.connection, [(seqs[r.id], r.series_summary) for r in summarised])
        self.tracker.rewritten.update(settle_groups(self.connection, [r.scenario_hash for r in records]))

    def save(self, record: ArtifactRecord) -> None:
        """Replace the stored row of an existing artifact (tags and outgoing links included)."""
        before = counters.stored_keys(self.connection, [record.id])
        old = self.connection.execute(_STATE_BY_ID, {"artifact_id": record.id}).one()
        seq, old_hash = old.seq, old.scenario_hash
        self.tracker.saved(stored_state(old), record)
        values = row_values(record)
        self.connection.execute(update(artifacts).where(artifacts.c.seq == seq).values(**values))
        counters.apply(self.connection, counters.values_keys(values), before)
        # Only what changed is rewritten: an edit of a title and tags leaves links, series rows and groups be.
        if values["tags_json"] != old.tags_json:
            self.connection.execute(delete(artifact_tags).where(artifact_tags.c.artifact_seq == seq))
            self._write_tags(seq, record.tags)
        self.set_derived_from(record.id, record.derived_from)
        if values["series_summary"] != old.series_summary:
            write_stats(self.connection, [(seq, record.series_summary)], replace=True)
        if (record.scenario_hash, record.created, record.deleted_at is None) != (old_hash, old.created, old.deleted_at is None):
            self.tracker.rewritten.update(settle_groups(self.connection, [record.scenario_hash, old_hash]))

    def remove(self, artifact_id: str) -> None:
        """Delete the row permanently (purge), with its tags, series stats and links."""
        self.tracker.removed(artifact_id)
        counters.apply(self.connection, Counter(), counters.stored_keys(self.connection, [artifact_id]))
        self.connection.execute(delete(artifact_history).where(artifact_history.c.artifact_id == artifact_id))
        found = self.connection.execute(
            select(artifacts.c.seq, artifacts.c.scenario_hash).where(artifacts.c.id == artifact_id)).first()
        if found is not None:
            self.connection.execute(delete(artifact_series_stats).where(artifact_series_stats.c.artifact_seq == found.seq))
        self.connection.execute(delete(artifacts).where(artifacts.c.id == artifact_id))
        if found is not None:
            self.tracker.rewritten.update(settle_groups(self.connection, [found.scenario_hash]))
        linked = (relationships.c.source_id == artifact_id) | (relationships.c.target_id == artifact_id)
        ends = self.connection.execute(select(relationships.c.source_id, relationships.c.target_id).where(linked))
        self.tracker.rewritten.update(artifact for pair in ends for artifact in pair)
        self.connection.execute(delete(relationships).where(linked))

    def _write_tags(self, seq: int, tags: list[str]) -> None:
        if tags:
            self.connection.execute(insert(artifact_tags), [{"tag": t, "artifact_seq": seq} for t in tags])

    def count_all(self) -> int:
        """Every row, deleted included."""
        return self.connection.execute(select(func.count()).select_from(artifacts)).scalar_one()

    def clear_all(self) -> None:
        """Delete every artifact, tag, link and skipped folder (a rebuild starts from nothing)."""
        for table in (artifact_tags, artifact_series_stats, relationships, skipped_folders, artifacts,
                      artifact_counts, artifact_history, artifact_changes, snapshot_rewrites):
            self.connection.execute(delete(table))
        self.set_state("changes_floor", str(self.generation()))  # followers of the old rows list again

    def fingerprints(self) -> dict[str, KnownFolder]:
        """id -> (path, fingerprint, deleted) for every row: what a rescan compares against."""
        rows = self.connection.execute(
            select(artifacts.c.id, artifacts.c.path, artifacts.c.fingerprint, artifacts.c.deleted_at)
        )
        return {r.id: KnownFolder(r.path, r.fingerprint, r.deleted_at is not None) for r in rows}

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
        """Every artifact as its JSON text (deleted included, ordered by id), relationships and history spliced in."""
        derived, generates = self._all_links()
        # Read in storage order (a walk of the id index would fetch rows in random order) and sort here.
        rows = self.connection.execute(select(artifacts.c.id, artifacts.c.doc)).all()
        rows.sort(key=itemgetter(0))
        history = all_history(self.connection)
        for artifact_id, doc in rows:
            yield with_history(self._document(artifact_id, doc, derived, generates), history.get(artifact_id))

    def snapshot_documents(self, ids: Iterable[str]) -> dict[str, str | None]:
        """The given artifacts as iter_documents writes them (None for ids that have no row), by id."""
        found = self.documents_by_id(ids)
        history = all_history(self.connection, [artifact_id for artifact_id, doc in found.items() if doc is not None])
        return {artifact_id: doc if doc is None else with_history(doc, history.get(artifact_id))
                for artifact_id, doc in found.items()}

    def documents_by_id(self, ids: Iterable[str]) -> dict[str, str | None]:
        """The JSON text of the given artifacts by id (None for ids that have no row), links spliced in."""
        ids = sorted(set(ids))
        found: dict[str, str | None] = dict.fromkeys(ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = self.connection.execute(select(artifacts.c.id, artifacts.c.doc).where(artifacts.c.id.in_(chunk)))
            derived, generates = self._links_of(chunk)
            for artifact_id, doc in rows:
                found[artifact_id] = self._document(artifact_id, doc, derived, generates)
        return found

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
        outgoing = relationships.c.source_id == source_id
        current = set(self.connection.execute(select(relationships.c.target_id).where(outgoing)).scalars())
        unique = [t for t in dict.fromkeys(targets) if t != source_id]
        if current == set(unique):
            return
        self.tracker.rewritten.update(current | set(unique))
        self.connection.execute(delete(relationships).where(outgoing))
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
