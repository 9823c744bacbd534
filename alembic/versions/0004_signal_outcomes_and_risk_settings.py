"""signal outcomes and per-user risk settings

Revision ID: 0004_signal_outcomes_risk
Revises: 0003_api_access
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0004_signal_outcomes_risk"
down_revision: str | None = "0003_api_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("closed_at", storage.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_signals_group_id"), ["group_id"], unique=False)
    op.create_table(
        "risk_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("max_order_value", storage.types.Money(precision=38, scale=18), nullable=True),
        sa.Column("max_position_share", storage.types.Money(precision=38, scale=18), nullable=True),
        sa.Column("max_open_positions", sa.Integer(), nullable=True),
        sa.Column("daily_loss_limit", storage.types.Money(precision=38, scale=18), nullable=True),
        sa.Column("require_stop_for_leverage", sa.Boolean(), nullable=True),
        sa.Column("updated_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("risk_settings")
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signals_group_id"))
        batch_op.drop_column("closed_at")
        batch_op.drop_column("group_id")
