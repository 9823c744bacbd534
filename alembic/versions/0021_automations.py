"""automations: plans (recurring orders, DCA, TWAP) and their runs; a notice's claim by its delivery, its kind
and its fan-out to e-mail and webhooks; those channels and their delivery log

Revision ID: 0021_automations
Revises: 0020_futures_books
Create Date: 2026-12-07 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0021_automations"
down_revision: str | None = "0020_futures_books"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("exchange_accounts.id", ondelete="CASCADE")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("side", sa.String(4), nullable=False),
        sa.Column("symbol", sa.String(32), nullable=False),
        sa.Column("quote", sa.String(16)),
        sa.Column("amount", storage.types.Money(precision=38, scale=18), nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("every", sa.String(8), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer()),
        sa.Column("at_minute", sa.Integer()),
        sa.Column("step_seconds", sa.Integer()),
        sa.Column("runs", sa.Integer()),
        sa.Column("runs_done", sa.Integer(), nullable=False),
        sa.Column("next_due_at", storage.types.UtcDateTime(timezone=True)),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_plans_user_id", "plans", ["user_id"])
    op.create_index("ix_plans_status_next_due_at", "plans", ["status", "next_due_at"])
    op.create_table(
        "plan_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("plan_id", sa.Integer(), sa.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False),
        sa.Column("due_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.String(16)),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id", ondelete="SET NULL")),
        sa.Column("error", sa.Text()),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("plan_id", "due_at", name="uq_plan_runs_plan_id_due_at"),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", storage.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("kind", sa.String(16), server_default="orders", nullable=False))
        batch_op.add_column(sa.Column("fanned_out_at", storage.types.UtcDateTime(timezone=True), nullable=True))
    op.create_table(
        "notify_channels",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("target", sa.String(512), nullable=False),
        sa.Column("secret", sa.Text()),
        sa.Column("code_hash", sa.String(64)),
        sa.Column("code_expires_at", storage.types.UtcDateTime(timezone=True)),
        sa.Column("events", sa.String(128), nullable=False),
        sa.Column("verified_at", storage.types.UtcDateTime(timezone=True)),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_notify_channels_user_id", "notify_channels", ["user_id"])
    op.create_table(
        "channel_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "channel_id", sa.Integer(), sa.ForeignKey("notify_channels.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", storage.types.UtcDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_channel_deliveries_channel_id_id", "channel_deliveries", ["channel_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_channel_deliveries_channel_id_id", table_name="channel_deliveries")
    op.drop_table("channel_deliveries")
    op.drop_index("ix_notify_channels_user_id", table_name="notify_channels")
    op.drop_table("notify_channels")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_column("fanned_out_at")
        batch_op.drop_column("kind")
        batch_op.drop_column("claimed_at")
    op.drop_table("plan_runs")
    op.drop_index("ix_plans_status_next_due_at", table_name="plans")
    op.drop_index("ix_plans_user_id", table_name="plans")
    op.drop_table("plans")
