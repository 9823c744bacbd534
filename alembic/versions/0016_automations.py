"""automations: plans (recurring orders, DCA, TWAP) and their runs; a notice's claim by its delivery

Revision ID: 0016_automations
Revises: 0015_signal_post_ids
Create Date: 2026-12-07 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0016_automations"
down_revision: str | None = "0015_signal_post_ids"
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


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
    op.drop_table("plan_runs")
    op.drop_index("ix_plans_status_next_due_at", table_name="plans")
    op.drop_index("ix_plans_user_id", table_name="plans")
    op.drop_table("plans")
