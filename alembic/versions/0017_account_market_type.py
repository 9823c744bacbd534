"""market_type on exchange accounts: spot coins, or perpetual futures (where shorts and leverage go); the
accounts that exist trade spot

Revision ID: 0017_account_market_type
Revises: 0016_signal_breakout
Create Date: 2026-12-10 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_account_market_type"
down_revision: str | None = "0016_signal_breakout"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exchange_accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("market_type", sa.String(length=8), server_default="spot", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("exchange_accounts", schema=None) as batch_op:
        batch_op.drop_column("market_type")
