"""The paper futures venue's books: reduce-only orders, each account's perpetuals (settings and positions) and
the events it settles on its own (funding, liquidations)

Revision ID: 0018_paper_futures
Revises: 0017_account_market_type
Create Date: 2026-12-10 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0018_paper_futures"
down_revision: str | None = "0017_account_market_type"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _money(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, storage.types.Money(precision=38, scale=18), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("paper_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reduce_only", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "paper_perpetuals",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(length=40), nullable=False),
        _money("leverage"),
        sa.Column("margin_mode", sa.String(length=8), nullable=False),
        sa.Column("funded_until", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("side", sa.String(length=5), nullable=True),
        _money("size"),
        _money("cost"),
        _money("isolated_margin"),
        sa.ForeignKeyConstraint(["account_id"], ["exchange_accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", "symbol"),
    )
    op.create_table(
        "paper_futures_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("symbol", sa.String(length=40), nullable=False),
        _money("rate", nullable=True),
        _money("amount"),
        sa.Column("side", sa.String(length=5), nullable=True),
        _money("size", nullable=True),
        _money("price", nullable=True),
        _money("fee", nullable=True),
        sa.Column("at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["exchange_accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("paper_futures_events", schema=None) as batch_op:
        batch_op.create_index("ix_paper_futures_events_account_at", ["account_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("paper_futures_events", schema=None) as batch_op:
        batch_op.drop_index("ix_paper_futures_events_account_at")
    op.drop_table("paper_futures_events")
    op.drop_table("paper_perpetuals")
    with op.batch_alter_table("paper_orders", schema=None) as batch_op:
        batch_op.drop_column("reduce_only")
