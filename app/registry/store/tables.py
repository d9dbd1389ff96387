"""SQLAlchemy Core tables of the registry (the schema itself is created only by Alembic migrations)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

artifacts = Table(
    "artifacts",
    metadata,
    # Integer surrogate key: the FTS5 external-content table is keyed by it (content_rowid).
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(200), nullable=False, unique=True),
    Column("type", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("created", DateTime, nullable=False),
    Column("modified", DateTime, nullable=False),
    Column("source", String(16), nullable=False),
    Column("schema_version", String(8), nullable=False, default="v1"),
    Column("path", Text, nullable=False),
    Column("size_bytes", BigInteger, nullable=False, default=0),
    Column("file_count", Integer, nullable=False, default=0),
    Column("series_count", Integer, nullable=False, default=0),
    Column("capabilities", Text, nullable=False, default=""),  # ",replay,compare," for LIKE filters
    Column("tags_json", Text, nullable=False, default="[]"),
    Column("tags_text", Text, nullable=False, default=""),  # space-joined, indexed by FTS
    Column("search_text", Text, nullable=False, default=""),  # series and node ids, indexed by FTS
    Column("metadata_json", Text, nullable=False, default="{}"),
    Column("user_edits", Text, nullable=False, default="{}"),  # fields the user set; survive rescans
    Column("template_id", String(200)),
    Column("model_id", String(200)),
    Column("archived", Boolean, nullable=False, default=False),
    Column("deleted_at", DateTime),
    Column("fingerprint", String(64), nullable=False, default=""),
    Column("doc", Text, nullable=False, default=""),  # artifact JSON without relationships (mirror)
    Column("file_names", Text),  # JSON list of relative file names; NULL before migration 0007
    Column("scenario_hash", String(100)),  # runs: model + seed; equal hashes are duplicates (0009)
    Column("duplicate_of", String(200)),  # the earliest run of its scenario hash, when not this one
    Column("verified", Boolean),  # the last verify verdict's `reproducible`; NULL = never verified
    Column("series_summary", Text),  # JSON {node: {points, min, max, mean, sum, last}}
    # Sort indexes are partial: over live rows (migration 0002) and over retired ones (0006).
    Index("ix_artifacts_template", "template_id"),
    Index("ix_artifacts_model", "model_id"),
    Index("ix_artifacts_scenario_hash", "scenario_hash"),
    Index("ix_artifacts_duplicate_of", "duplicate_of"),
    Index("ix_artifacts_verified", "verified"),
)

# One row per (artifact, series node, stat): rare matches come from a range over the primary key (node, stat,
# value, artifact_seq), a WITHOUT ROWID table on SQLite; common ones walk the sort index and probe
# (artifact_seq, node, stat, value) per row, which deletes use too.
artifact_series_stats = Table(
    "artifact_series_stats",
    metadata,
    Column("node", String(200), primary_key=True),
    Column("stat", String(8), primary_key=True),
    Column("value", Float, primary_key=True),
    Column("artifact_seq", Integer, ForeignKey("artifacts.seq", ondelete="CASCADE"), primary_key=True),
    Index("ix_series_stats_artifact", "artifact_seq", "node", "stat", "value"),
    sqlite_with_rowid=False,
)

artifact_tags = Table(
    "artifact_tags",
    metadata,
    Column("tag", String(64), primary_key=True),
    Column("artifact_seq", Integer, ForeignKey("artifacts.seq", ondelete="CASCADE"), primary_key=True),
    Index("ix_artifact_tags_seq", "artifact_seq"),
)

relationships = Table(
    "relationships",
    metadata,
    # source is derived from target ("run derived_from model").
    Column("source_id", String(200), primary_key=True),
    Column("target_id", String(200), primary_key=True),
    Column("kind", String(32), primary_key=True, default="derived_from"),
    Index("ix_relationships_target", "target_id"),
)

artifact_counts = Table(
    "artifact_counts",
    metadata,
    # Maintained in every write transaction (app.registry.store.counters); migration 0010 fills it.
    Column("facet", String(16), primary_key=True),
    Column("value", String(300), primary_key=True),
    Column("state", String(16), primary_key=True),
    Column("n", BigInteger, nullable=False),
)

# One row per commit that changed an artifact's user state: {field: {from, to}} as JSON (migration 0011).
# `at` is in the key: a database restored from an old backup reuses generations, and the snapshot's
# entries of the commits it lost must still find a place beside the new ones.
artifact_history = Table(
    "artifact_history",
    metadata,
    Column("artifact_id", String(200), primary_key=True),
    Column("generation", BigInteger, primary_key=True),
    Column("at", DateTime, primary_key=True),
    Column("actor", String(200), nullable=False),
    Column("changes", Text, nullable=False),
)

# The changes feed: one row per (commit, artifact), kept for FLOWTIME_CHANGES_KEEP generations.
artifact_changes = Table(
    "artifact_changes",
    metadata,
    Column("generation", BigInteger, primary_key=True),
    Column("artifact_id", String(200), primary_key=True),
    Column("event", String(16), nullable=False),
    Column("at", DateTime, nullable=False),
)

# Artifacts whose snapshot document a commit changed, until a snapshot holds that commit (app.registry.mirror).
snapshot_rewrites = Table(
    "snapshot_rewrites",
    metadata,
    Column("generation", BigInteger, primary_key=True),
    Column("artifact_id", String(200), primary_key=True),
)

registry_state = Table(
    "registry_state",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

skipped_folders = Table(
    "skipped_folders",
    metadata,
    Column("path", String(1024), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("seen_at", DateTime, nullable=False),
)

__all__ = ["metadata", "artifacts", "artifact_tags", "artifact_counts", "relationships", "registry_state",
           "skipped_folders", "artifact_series_stats", "artifact_history", "artifact_changes",
           "snapshot_rewrites"]
