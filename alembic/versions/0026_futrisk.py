"""A user's own cap on futures margin in use (risk_settings.max_margin_share; null keeps the operator's), and
a signal source's market and risk (signal_sources.market: auto, spot or futures; risk_percent: null sizes its
plans from the amount)

Revision ID: 0026_futrisk
Revises: 0025_entries
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0026_futrisk"
down_revision: str | None = "0025_entries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("risk_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("max_margin_share", storage.types.Money(precision=38, scale=18), nullable=True)
        )
    with op.batch_alter_table("signal_sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("market", sa.String(length=8), server_default="auto", nullable=False))
        batch_op.add_column(
            sa.Column("risk_percent", storage.types.Money(precision=38, scale=18), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("signal_sources", schema=None) as batch_op:
        batch_op.drop_column("risk_percent")
        batch_op.drop_column("market")
    with op.batch_alter_table("risk_settings", schema=None) as batch_op:
        batch_op.drop_column("max_margin_share")
