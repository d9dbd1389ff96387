"""PostgreSQL full-text search: a weighted tsvector column kept by the database, with a GIN index.

SQLite got its FTS5 table in 0001; this revision does nothing there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

VECTOR = (
    "setweight(to_tsvector('simple', coalesce(id, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(tags_text, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(description, '')), 'C') || "
    "setweight(to_tsvector('simple', coalesce(search_text, '')), 'D')"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE artifacts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED")
    op.execute("CREATE INDEX ix_artifacts_search ON artifacts USING GIN (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_artifacts_search")
    op.execute("ALTER TABLE artifacts DROP COLUMN IF EXISTS search_vector")
