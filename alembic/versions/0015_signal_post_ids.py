"""a signal remembers the channel's message id of its post, so that an edit of the post finds it

Revision ID: 0015_signal_post_ids
Revises: 0014_process_kind
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_signal_post_ids"
down_revision: str | None = "0014_process_kind"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("post_id", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_signals_source_id_post_id", ["source_id", "post_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index("ix_signals_source_id_post_id")
        batch_op.drop_column("post_id")
