"""Edit history per artifact and the changes feed (GET /v1/artifacts/{id}/history, GET /v1/changes).

artifact_history is user state (kept in the snapshot and journal); artifact_changes is a window
of recent commits for followers: a registry upgraded here keeps changes from its current
generation on (`changes_floor`), and an older `since` is told to list again (410).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "artifact_history",
        sa.Column("artifact_id", sa.String(200), primary_key=True),
        sa.Column("generation", sa.BigInteger, primary_key=True),
        sa.Column("at", sa.DateTime, primary_key=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("changes", sa.Text, nullable=False),
    )
    op.create_table(
        "artifact_changes",
        sa.Column("generation", sa.BigInteger, primary_key=True),
        sa.Column("artifact_id", sa.String(200), primary_key=True),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.execute("INSERT INTO registry_state (key, value) SELECT 'changes_floor', value FROM registry_state "
               "WHERE key = 'generation'")


def downgrade() -> None:
    op.execute("DELETE FROM registry_state WHERE key = 'changes_floor'")
    op.drop_table("artifact_changes")
    op.drop_table("artifact_history")
