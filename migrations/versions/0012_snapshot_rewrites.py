"""Which artifacts each commit rewrote in the snapshot, so registry-index.json is patched, not re-exported.

A row per (commit, artifact whose document changed: itself, a link's other end, a duplicate group's
member); kept until a snapshot holds that commit. A commit touching more than a patch can take (a
rescan, an import) sets `rewrites_floor` instead: snapshots from before it are exported in full.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "snapshot_rewrites",
        sa.Column("generation", sa.BigInteger, primary_key=True),
        sa.Column("artifact_id", sa.String(200), primary_key=True),
    )
    # Commits before this one were not recorded: the next snapshot is a full export.
    op.execute("INSERT INTO registry_state (key, value) SELECT 'rewrites_floor', value FROM registry_state "
               "WHERE key = 'generation'")


def downgrade() -> None:
    op.execute("DELETE FROM registry_state WHERE key = 'rewrites_floor'")
    op.drop_table("snapshot_rewrites")
