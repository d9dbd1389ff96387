"""Sort indexes over retired rows (deleted or archived) replace the sort indexes over every row.

Listings that include retired rows merge a walk of the live and the retired index (app.registry.store.pages);
new rows are live, so a bulk insert now maintains one index per sort key instead of two. At 1M rows
the indexes over every row were a third of the write volume of a bulk load (title and size keys land
on random pages).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Written as each dialect renders the registry's RETIRED condition, so the planner sees the query implies it.
RETIRED_SQLITE = "deleted_at IS NOT NULL OR archived = 1"
RETIRED_POSTGRESQL = "deleted_at IS NOT NULL OR archived = true"
RETIRED_INDEXES = {
    "ix_retired_created": ["created", "id"],
    "ix_retired_modified": ["modified", "id"],
    "ix_retired_title": ["title", "id"],
    "ix_retired_size": ["size_bytes", "id"],
}
FULL_INDEXES = {
    "ix_artifacts_created": ["created", "id"],
    "ix_artifacts_modified": ["modified", "id"],
    "ix_artifacts_title": ["title", "id"],
    "ix_artifacts_size": ["size_bytes", "id"],
    "ix_artifacts_type_created": ["type", "created", "id"],
}


def upgrade() -> None:
    for name, columns in RETIRED_INDEXES.items():
        op.create_index(name, "artifacts", columns, sqlite_where=sa.text(RETIRED_SQLITE),
                        postgresql_where=sa.text(RETIRED_POSTGRESQL))
    for name in FULL_INDEXES:
        op.drop_index(name, table_name="artifacts")


def downgrade() -> None:
    for name, columns in FULL_INDEXES.items():
        op.create_index(name, "artifacts", columns)
    for name in RETIRED_INDEXES:
        op.drop_index(name, table_name="artifacts")
