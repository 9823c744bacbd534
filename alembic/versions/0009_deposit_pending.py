"""deposit_pending_since on exchange accounts: start-up reads only the paper deposits a stop may have cut short

Revision ID: 0009_deposit_pending
Revises: 0008_reported_events
Create Date: 2026-11-24 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0009_deposit_pending"
down_revision: str | None = "0008_reported_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PENDING = sa.text("deposit_pending_since IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("exchange_accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("deposit_pending_since", storage.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_exchange_accounts_deposit_pending_since",
            ["deposit_pending_since"],
            unique=False,
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        )
    # The code before this revision left no marker: any paper account may hold a deposit that stopped between
    # the venue and the books. All are marked once, so the first start after the upgrade looks at each (as
    # every start did before); each is cleared as it is found in order. The marker's value only has to be set
    # and earlier than a later deposit's: the account's created_at is.
    accounts = sa.table(
        "exchange_accounts",
        sa.column("exchange"),
        sa.column("created_at"),
        sa.column("deposit_pending_since"),
    )
    op.execute(
        accounts.update()
        .where(accounts.c.exchange == "paper")
        .values(deposit_pending_since=accounts.c.created_at)
    )


def downgrade() -> None:
    with op.batch_alter_table("exchange_accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_accounts_deposit_pending_since")
        batch_op.drop_column("deposit_pending_since")
