"""protections of automatic following: a user's own settings, the pauses on automatic following (who, why,
until when), and the kill switch's previews to confirm

Revision ID: 0024_protections
Revises: 0023_notice_charts
Create Date: 2026-12-12 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0024_protections"
down_revision: str | None = "0023_notice_charts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "protection_settings",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("max_drawdown", storage.types.Money(precision=38, scale=18)),
        sa.Column("drawdown_hours", sa.Integer()),
        sa.Column("stoploss_guard", sa.Integer()),
        sa.Column("stoploss_guard_hours", sa.Integer()),
        sa.Column("cooldown_hours", sa.Integer()),
        sa.Column("losing_streak", sa.Integer()),
        sa.Column("updated_at", storage.types.UtcDateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "follow_pauses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("signal_sources.id", ondelete="CASCADE")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("started_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("until", storage.types.UtcDateTime(timezone=True)),
        sa.Column("ended_at", storage.types.UtcDateTime(timezone=True)),
        sa.Column("active_key", sa.String(64), unique=True),
    )
    op.create_index("ix_follow_pauses_user_id_ended_at", "follow_pauses", ["user_id", "ended_at"])
    op.create_index("ix_follow_pauses_ended_at_until", "follow_pauses", ["ended_at", "until"])
    op.create_table(
        "kill_switch_confirmations",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", storage.types.UtcDateTime(timezone=True)),
    )
    op.create_index("ix_kill_switch_confirmations_user_id", "kill_switch_confirmations", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_kill_switch_confirmations_user_id", table_name="kill_switch_confirmations")
    op.drop_table("kill_switch_confirmations")
    op.drop_index("ix_follow_pauses_ended_at_until", table_name="follow_pauses")
    op.drop_index("ix_follow_pauses_user_id_ended_at", table_name="follow_pauses")
    op.drop_table("follow_pauses")
    op.drop_table("protection_settings")
