"""a source's trailing entry (its entry rules), and the signal plan a trailing entry is an entry of

Revision ID: 0032_trail_entry
Revises: 0031_lapse_ix
Create Date: 2026-12-07 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0032_trail_entry"
down_revision: str | None = "0031_lapse_ix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source_entry_rules", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("trailing_entry_percent", storage.types.Money(precision=38, scale=18), nullable=True)
        )
    with op.batch_alter_table("stop_modes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.String(length=16), nullable=True))
        batch_op.create_index("ix_stop_modes_group_id", ["group_id"])


def downgrade() -> None:
    with op.batch_alter_table("stop_modes", schema=None) as batch_op:
        batch_op.drop_index("ix_stop_modes_group_id")
        batch_op.drop_column("group_id")
    with op.batch_alter_table("source_entry_rules", schema=None) as batch_op:
        batch_op.drop_column("trailing_entry_percent")
