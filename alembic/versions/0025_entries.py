"""a signal source's entry rules: the split of the amount over the entries, the first entry at market, the
entry grace, the expiry of entries not filled, and what gives up entries before any fills

Revision ID: 0025_entries
Revises: 0024_protections
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0025_entries"
down_revision: str | None = "0024_protections"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_entry_rules",
        sa.Column(
            "source_id",
            sa.Integer(),
            sa.ForeignKey("signal_sources.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("split", sa.String(16), nullable=False),
        sa.Column("ratios", sa.JSON(), nullable=False),
        sa.Column("first_at_market", sa.Boolean(), nullable=False),
        sa.Column("grace_percent", storage.types.Money(precision=38, scale=18), nullable=False),
        sa.Column("expiry_minutes", sa.Integer()),
        sa.Column("close_on_target_before_entry", sa.Boolean(), nullable=False),
        sa.Column("cancel_on_stop_before_entry", sa.Boolean(), nullable=False),
        sa.Column("updated_at", storage.types.UtcDateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("source_entry_rules")
