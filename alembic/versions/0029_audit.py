"""audits of channels: the candles kept for them, and each user's audit reports

Revision ID: 0029_audit
Revises: 0028_rebal
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0029_audit"
down_revision: str | None = "0028_rebal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    money = storage.types.Money(precision=38, scale=18)
    op.create_table(
        "candles",
        sa.Column("venue", sa.String(32), primary_key=True),
        sa.Column("symbol", sa.String(40), primary_key=True),
        sa.Column("timeframe", sa.String(8), primary_key=True),
        sa.Column("opened_at", storage.types.UtcDateTime(timezone=True), primary_key=True),
        sa.Column("open", money, nullable=False),
        sa.Column("high", money, nullable=False),
        sa.Column("low", money, nullable=False),
        sa.Column("close", money, nullable=False),
        sa.Column("volume", money, nullable=False),
    )
    op.create_table(
        "audits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(256), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("signals", sa.Integer(), nullable=False),
        sa.Column("filled", sa.Integer(), nullable=False),
        sa.Column("wins", sa.Integer(), nullable=False),
        sa.Column("pnl", money, nullable=False),
        sa.Column("amount", money, nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.Column("unread", sa.Text(), nullable=False),
    )
    op.create_index("ix_audits_user_id_created_at", "audits", ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_audits_user_id_created_at", table_name="audits")
    op.drop_table("audits")
    op.drop_table("candles")
