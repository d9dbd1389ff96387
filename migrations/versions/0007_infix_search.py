"""Infix search: part of a word or of an id finds its artifact, as FlowTime's substring search does.

SQLite: an FTS5 `trigram` index over id, title and tags (external content, rowid = seq); updates and
deletes reach it through triggers, inserts through the registry's batch insert (as for 0005).
PostgreSQL: pg_trgm and a GIN trigram index over the same text, used by ILIKE '%...%'.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = "id, title, tags_text"
PG_TEXT = "(id || ' ' || title || ' ' || tags_text)"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _create_sqlite_trigram()
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX ix_artifacts_infix ON artifacts USING GIN ({PG_TEXT} gin_trgm_ops)")


def _create_sqlite_trigram() -> None:
    old = "old.seq, old.id, old.title, old.tags_text"
    new = "new.seq, new.id, new.title, new.tags_text"
    op.execute(f"CREATE VIRTUAL TABLE artifacts_infix USING fts5({COLUMNS}, content='artifacts', "
               "content_rowid='seq', tokenize='trigram')")
    op.execute(f"INSERT INTO artifacts_infix(rowid, {COLUMNS}) SELECT seq, {COLUMNS} FROM artifacts")
    op.execute(f"CREATE TRIGGER artifacts_infix_delete AFTER DELETE ON artifacts BEGIN "
               f"INSERT INTO artifacts_infix(artifacts_infix, rowid, {COLUMNS}) VALUES ('delete', {old}); END")
    op.execute(f"CREATE TRIGGER artifacts_infix_update AFTER UPDATE OF {COLUMNS} ON artifacts BEGIN "
               f"INSERT INTO artifacts_infix(artifacts_infix, rowid, {COLUMNS}) VALUES ('delete', {old}); "
               f"INSERT INTO artifacts_infix(rowid, {COLUMNS}) VALUES ({new}); END")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("artifacts_infix_delete", "artifacts_infix_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS artifacts_infix")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_artifacts_infix")
