"""Counts kept in the write transaction (totals and one-dimension facets without a scan).

Filled here from the rows; from then on every write applies its difference
(app.registry.store.counters).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

STATE = ("CASE WHEN a.deleted_at IS NOT NULL AND a.archived THEN 'deleted-archived' "
         "WHEN a.deleted_at IS NOT NULL THEN 'deleted' WHEN a.archived THEN 'archived' ELSE 'live' END")


def upgrade() -> None:
    op.create_table(
        "artifact_counts",
        sa.Column("facet", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(300), primary_key=True),
        sa.Column("state", sa.String(16), primary_key=True),
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    insert = "INSERT INTO artifact_counts (facet, value, state, n) "
    rows = f"FROM artifacts a GROUP BY {STATE}"
    op.execute(insert + f"SELECT '*', '', {STATE}, count(*) {rows}")
    op.execute(insert + f"SELECT 'bytes', '', {STATE}, coalesce(sum(a.size_bytes), 0) {rows}")
    op.execute(insert + f"SELECT 'type', a.type, {STATE}, count(*) {rows}, a.type")
    op.execute(insert + f"SELECT 'source', a.source, {STATE}, count(*) {rows}, a.source")
    tagged = f"FROM artifact_tags t JOIN artifacts a ON a.seq = t.artifact_seq GROUP BY {STATE}"
    op.execute(insert + f"SELECT 'tag', t.tag, {STATE}, count(*) {tagged}, t.tag")
    pair = "a.type || chr(31) || t.tag" if op.get_bind().dialect.name == "postgresql" else "a.type || char(31) || t.tag"
    op.execute(insert + f"SELECT 'type+tag', {pair}, {STATE}, count(*) {tagged}, a.type, t.tag")


def downgrade() -> None:
    op.drop_table("artifact_counts")
