"""Runs found by their results, duplicates and verification (issue #19 parts 1-3).

`artifacts` gains `scenario_hash` (runs: model + seed), `duplicate_of` (the earliest run of the same
scenario hash), `verified` (the last verify verdict) and `series_summary` (JSON per-series summaries);
`artifact_series_stats` holds one row per (artifact, series node, stat) for the `series=` filters, keyed
by (node, stat, value, artifact_seq) (WITHOUT ROWID on SQLite), with an index on (artifact_seq, node, stat,
value) for per-row probes and deletes. The summaries are read from the folders: live runs and telemetry lose their
fingerprint here, so the next rescan (`flask registry rescan`, or `POST /v1/artifacts/rescan`) re-reads
them and fills summaries, scenario hashes and duplicates; until then they have no summaries.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = ("scenario_hash", "duplicate_of", "verified", "series_summary")


def upgrade() -> None:
    op.add_column("artifacts", sa.Column("scenario_hash", sa.String(100), nullable=True))
    op.add_column("artifacts", sa.Column("duplicate_of", sa.String(200), nullable=True))
    op.add_column("artifacts", sa.Column("verified", sa.Boolean, nullable=True))
    op.add_column("artifacts", sa.Column("series_summary", sa.Text, nullable=True))
    op.create_index("ix_artifacts_scenario_hash", "artifacts", ["scenario_hash"])
    op.create_index("ix_artifacts_duplicate_of", "artifacts", ["duplicate_of"])
    op.create_index("ix_artifacts_verified", "artifacts", ["verified"])
    op.create_table(
        "artifact_series_stats",
        sa.Column("node", sa.String(200), nullable=False),
        sa.Column("stat", sa.String(8), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("artifact_seq", sa.Integer, sa.ForeignKey("artifacts.seq", ondelete="CASCADE"), nullable=False),
        sa.PrimaryKeyConstraint("node", "stat", "value", "artifact_seq"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_series_stats_artifact", "artifact_series_stats", ["artifact_seq", "node", "stat", "value"])
    op.execute("UPDATE artifacts SET fingerprint = '' WHERE deleted_at IS NULL AND type IN ('run', 'telemetry')")


def downgrade() -> None:
    op.drop_index("ix_series_stats_artifact", table_name="artifact_series_stats")
    op.drop_table("artifact_series_stats")
    for name in ("ix_artifacts_verified", "ix_artifacts_duplicate_of", "ix_artifacts_scenario_hash"):
        op.drop_index(name, table_name="artifacts")
    # Not batch mode: on SQLite that recreates the table and so drops the FTS triggers on it.
    for column in COLUMNS:
        op.execute(f"ALTER TABLE artifacts DROP COLUMN {column}")
