"""The core's book of a futures account: its positions, the venue's events it booked (funding, liquidations),
and the funding paid beside its wallet in balances

Revision ID: 0020_futures_books
Revises: 0019_max_leverage
Create Date: 2026-12-10 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0020_futures_books"
down_revision: str | None = "0019_max_leverage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _money(name: str, **more: object) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, storage.types.Money(precision=38, scale=18), nullable=False, **more)


def upgrade() -> None:
    with op.batch_alter_table("balances", schema=None) as batch_op:
        batch_op.add_column(_money("funding_paid", server_default="0"))
    op.create_table(
        "futures_positions",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(length=40), nullable=False),
        sa.Column("side", sa.String(length=5), nullable=False),
        _money("size"),
        _money("cost"),
        _money("leverage"),
        sa.Column("margin_mode", sa.String(length=8), nullable=False),
        _money("isolated_margin"),
        sa.ForeignKeyConstraint(["account_id"], ["exchange_accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "symbol"),
    )
    op.create_table(
        "futures_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("symbol", sa.String(length=40), nullable=False),
        _money("amount"),
        sa.Column("at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["exchange_accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_id", "event_id"),
    )
    with op.batch_alter_table("futures_events", schema=None) as batch_op:
        batch_op.create_index("ix_futures_events_account_at", ["account_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("futures_events", schema=None) as batch_op:
        batch_op.drop_index("ix_futures_events_account_at")
    op.drop_table("futures_events")
    op.drop_table("futures_positions")
    with op.batch_alter_table("balances", schema=None) as batch_op:
        batch_op.drop_column("funding_paid")
