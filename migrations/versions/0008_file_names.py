"""Relative file names per artifact (FlowTime's `files` list in list pages, stored with the row).

Rows written before this revision have NULL file names: their stored documents lack FlowTime's
fields and are completed when served (app.registry.folders.legacy_docs). Live rows lose their fingerprint,
so the next rescan re-reads their folders and stores the names (and a complete document).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("artifacts", sa.Column("file_names", sa.Text, nullable=True))
    op.execute("UPDATE artifacts SET fingerprint = '' WHERE deleted_at IS NULL")


def downgrade() -> None:
    # Not batch mode: on SQLite that recreates the table and so drops the FTS triggers on it.
    op.execute("ALTER TABLE artifacts DROP COLUMN file_names")
