"""replaces_order_id on order drafts: a confirmation that moves a stop order instead of placing a new one

Revision ID: 0012_draft_replaces_order
Revises: 0011_deposits_pending_count
Create Date: 2026-11-25 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_draft_replaces_order"
down_revision: str | None = "0011_deposits_pending_count"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaces_order_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order_drafts", schema=None) as batch_op:
        batch_op.drop_column("replaces_order_id")
