"""reported_at on bracket legs and signals: what the tracker has told users of is stored, not remembered

Revision ID: 0008_reported_events
Revises: 0007_notices
Create Date: 2026-11-24 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0008_reported_events"
down_revision: str | None = "0007_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LEGS = ("stop_loss", "take_profit")
_FINAL = ("filled", "cancelled", "expired", "rejected")


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reported_at", storage.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_orders_role_reported_at_status", ["role", "reported_at", "status"], unique=False
        )
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reported_at", storage.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_signals_reported_at_closed_at", ["reported_at", "closed_at"], unique=False)
    # What ended before this revision was told (or lost) by the code of its day: an upgrade never tells it
    # again.
    orders = sa.table(
        "orders", sa.column("role"), sa.column("status"), sa.column("updated_at"), sa.column("reported_at")
    )
    op.execute(
        orders.update()
        .where(orders.c.role.in_(_LEGS), orders.c.status.in_(_FINAL))
        .values(reported_at=orders.c.updated_at)
    )
    signals = sa.table("signals", sa.column("closed_at"), sa.column("reported_at"))
    op.execute(
        signals.update().where(signals.c.closed_at.is_not(None)).values(reported_at=signals.c.closed_at)
    )


def downgrade() -> None:
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index("ix_signals_reported_at_closed_at")
        batch_op.drop_column("reported_at")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_role_reported_at_status")
        batch_op.drop_column("reported_at")
