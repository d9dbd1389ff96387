"""Partial indexes over live rows (not deleted, not archived) for the default listings.

The default listing filters on `deleted_at IS NULL AND archived = false` and sorts by one column;
a partial index per sort key lets the planner walk it in order and stop after one page instead of
sorting every live row. The broad (archived, deleted_at, ...) index made the planner do exactly that,
and so would an index on deleted_at alone (the planner takes `IS NULL` for a selective lookup).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Written as each dialect renders `archived == false()`, so the planner sees the query implies it.
LIVE_SQLITE = "deleted_at IS NULL AND archived = 0"
LIVE_POSTGRESQL = "deleted_at IS NULL AND archived = false"
LIVE_INDEXES = {
    "ix_live_created": ["created", "id"],
    "ix_live_modified": ["modified", "id"],
    "ix_live_title": ["title", "id"],
    "ix_live_size": ["size_bytes", "id"],
    "ix_live_type_created": ["type", "created", "id"],
    "ix_live_source": ["source", "created", "id"],
}


def upgrade() -> None:
    op.drop_index("ix_artifacts_visible", table_name="artifacts")
    for name, columns in LIVE_INDEXES.items():
        op.create_index(name, "artifacts", columns, sqlite_where=sa.text(LIVE_SQLITE),
                        postgresql_where=sa.text(LIVE_POSTGRESQL))


def downgrade() -> None:
    for name in LIVE_INDEXES:
        op.drop_index(name, table_name="artifacts")
    op.create_index("ix_artifacts_visible", "artifacts", ["archived", "deleted_at", "type", "source"])
