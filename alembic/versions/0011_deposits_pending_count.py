"""deposits_pending on exchange accounts: a count, so that a deposit booked leaves another one marked

Revision ID: 0011_deposits_pending_count
Revises: 0010_alerts_created_index
Create Date: 2026-11-24 21:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_deposits_pending_count"
down_revision: str | None = "0010_alerts_created_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exchange_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deposits_pending", sa.Integer(), server_default="0", nullable=False))
    # A marked account has at least one deposit under way; one is enough for it to be checked.
    accounts = sa.table(
        "exchange_accounts", sa.column("deposits_pending"), sa.column("deposit_pending_since")
    )
    op.execute(
        accounts.update().where(accounts.c.deposit_pending_since.is_not(None)).values(deposits_pending=1)
    )


def downgrade() -> None:
    with op.batch_alter_table("exchange_accounts", schema=None) as batch_op:
        batch_op.drop_column("deposits_pending")
