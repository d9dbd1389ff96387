"""Initial registry schema: artifacts, tags, relationships, state, skipped folders, FTS5 search.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

FTS_COLUMNS = "id, title, description, tags_text, search_text"


def upgrade() -> None:
    op.create_table(
        "artifacts",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(200), nullable=False, unique=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("schema_version", sa.String(8), nullable=False, server_default="v1"),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("file_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("series_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("capabilities", sa.Text, nullable=False, server_default=""),
        sa.Column("tags_json", sa.Text, nullable=False, server_default="[]"),
        sa.Column("tags_text", sa.Text, nullable=False, server_default=""),
        sa.Column("search_text", sa.Text, nullable=False, server_default=""),
        sa.Column("metadata_json", sa.Text, nullable=False, server_default="{}"),
        sa.Column("user_edits", sa.Text, nullable=False, server_default="{}"),
        sa.Column("template_id", sa.String(200)),
        sa.Column("model_id", sa.String(200)),
        sa.Column("archived", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("deleted_at", sa.DateTime),
        sa.Column("fingerprint", sa.String(64), nullable=False, server_default=""),
    )
    for name, columns in [
        ("ix_artifacts_created", ["created", "id"]),
        ("ix_artifacts_modified", ["modified", "id"]),
        ("ix_artifacts_title", ["title", "id"]),
        ("ix_artifacts_size", ["size_bytes", "id"]),
        ("ix_artifacts_type_created", ["type", "created", "id"]),
        ("ix_artifacts_visible", ["archived", "deleted_at", "type", "source"]),
        ("ix_artifacts_template", ["template_id"]),
        ("ix_artifacts_model", ["model_id"]),
    ]:
        op.create_index(name, "artifacts", columns)

    op.create_table(
        "artifact_tags",
        sa.Column("tag", sa.String(64), primary_key=True),
        sa.Column("artifact_seq", sa.Integer, sa.ForeignKey("artifacts.seq", ondelete="CASCADE"),
                  primary_key=True),
    )
    op.create_index("ix_artifact_tags_seq", "artifact_tags", ["artifact_seq"])

    op.create_table(
        "relationships",
        sa.Column("source_id", sa.String(200), primary_key=True),
        sa.Column("target_id", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True, server_default="derived_from"),
    )
    op.create_index("ix_relationships_target", "relationships", ["target_id"])

    op.create_table(
        "registry_state",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "skipped_folders",
        sa.Column("path", sa.String(1024), primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("seen_at", sa.DateTime, nullable=False),
    )
    op.bulk_insert(
        sa.table("registry_state", sa.column("key", sa.String), sa.column("value", sa.Text)),
        [{"key": "generation", "value": "0"}, {"key": "mirror_generation", "value": "0"}],
    )
    if op.get_bind().dialect.name == "sqlite":
        _create_sqlite_fts()


def _create_sqlite_fts() -> None:
    # External-content FTS5 table, kept in sync by triggers inside the writing transaction.
    op.execute(
        f"CREATE VIRTUAL TABLE artifacts_fts USING fts5({FTS_COLUMNS}, content='artifacts', "
        "content_rowid='seq', tokenize='unicode61 remove_diacritics 2')"
    )
    new_values = "new.seq, new.id, new.title, new.description, new.tags_text, new.search_text"
    old_values = "old.seq, old.id, old.title, old.description, old.tags_text, old.search_text"
    op.execute(
        f"CREATE TRIGGER artifacts_fts_insert AFTER INSERT ON artifacts BEGIN "
        f"INSERT INTO artifacts_fts(rowid, {FTS_COLUMNS}) VALUES ({new_values}); END"
    )
    op.execute(
        f"CREATE TRIGGER artifacts_fts_delete AFTER DELETE ON artifacts BEGIN "
        f"INSERT INTO artifacts_fts(artifacts_fts, rowid, {FTS_COLUMNS}) VALUES ('delete', {old_values}); END"
    )
    op.execute(
        f"CREATE TRIGGER artifacts_fts_update AFTER UPDATE OF {FTS_COLUMNS} ON artifacts BEGIN "
        f"INSERT INTO artifacts_fts(artifacts_fts, rowid, {FTS_COLUMNS}) VALUES ('delete', {old_values}); "
        f"INSERT INTO artifacts_fts(rowid, {FTS_COLUMNS}) VALUES ({new_values}); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("artifacts_fts_insert", "artifacts_fts_delete", "artifacts_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS artifacts_fts")
    for table in ("skipped_folders", "registry_state", "relationships", "artifact_tags", "artifacts"):
        op.drop_table(table)
