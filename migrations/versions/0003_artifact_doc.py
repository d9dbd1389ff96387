"""Pre-serialised artifact JSON per row (the mirror is rebuilt by concatenation); a registry epoch.

Rows written before this revision have an empty doc; the mirror serialises those on the fly and a
rescan fills them in.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("artifacts") as batch:
        batch.add_column(sa.Column("doc", sa.Text, nullable=False, server_default=""))
    # The registry's epoch: with the generation it names one exact state (caches key on both).
    state = sa.table("registry_state", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.bulk_insert(state, [{"key": "epoch", "value": uuid.uuid4().hex}])


def downgrade() -> None:
    op.execute("DELETE FROM registry_state WHERE key = 'epoch'")
    with op.batch_alter_table("artifacts") as batch:
        batch.drop_column("doc")
