"""SQLite: new rows enter the FTS5 index from the registry, one INSERT ... SELECT per batch.

A per-row AFTER INSERT trigger cost about as much as the row insert itself; SqlRegistry.add and
add_many now index the rows they insert (update and delete triggers stay).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FTS_COLUMNS = "id, title, description, tags_text, search_text"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS artifacts_fts_insert")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        new_values = "new.seq, new.id, new.title, new.description, new.tags_text, new.search_text"
        op.execute(
            f"CREATE TRIGGER artifacts_fts_insert AFTER INSERT ON artifacts BEGIN "
            f"INSERT INTO artifacts_fts(rowid, {FTS_COLUMNS}) VALUES ({new_values}); END"
        )
