"""a source followed automatically remembers whether its plans move the stop to break-even after target 1

Revision ID: 0006_source_break_even
Revises: 0005_signals_open_index
Create Date: 2026-11-24 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_source_break_even"
down_revision: str | None = "0005_signals_open_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("signal_sources", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("move_stop_to_entry", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("signal_sources", schema=None) as batch_op:
        batch_op.drop_column("move_stop_to_entry")
