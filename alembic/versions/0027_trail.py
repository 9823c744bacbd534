"""stop modes set on positions: trailing stops, break-even and moving targets, trailing exits and entries,
with the extreme price each has seen (so that it survives a restart); a signal source's default stop mode

Revision ID: 0027_trail
Revises: 0026_futrisk
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0027_trail"
down_revision: str | None = "0026_futrisk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stop_modes",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("exchange_accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("symbol", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("long", sa.Boolean(), nullable=False),
        sa.Column("entry", storage.types.Money(precision=38, scale=18), nullable=False),
        sa.Column("extreme", storage.types.Money(precision=38, scale=18), nullable=False),
        sa.Column("percent", storage.types.Money(precision=38, scale=18)),
        sa.Column("after_target", sa.Integer(), nullable=False),
        sa.Column("targets", sa.Text(), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", storage.types.UtcDateTime(timezone=True)),
        sa.Column("active_key", sa.String(96), unique=True),
    )
    op.create_index("ix_stop_modes_user_id", "stop_modes", ["user_id"])
    op.create_index("ix_stop_modes_symbol_confirmed_at", "stop_modes", ["symbol", "confirmed_at"])
    with op.batch_alter_table("signal_sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stop_mode", sa.String(24)))
        batch_op.add_column(sa.Column("stop_mode_percent", storage.types.Money(precision=38, scale=18)))
        batch_op.add_column(sa.Column("stop_mode_after_target", sa.Integer()))


def downgrade() -> None:
    with op.batch_alter_table("signal_sources", schema=None) as batch_op:
        batch_op.drop_column("stop_mode_after_target")
        batch_op.drop_column("stop_mode_percent")
        batch_op.drop_column("stop_mode")
    op.drop_index("ix_stop_modes_symbol_confirmed_at", table_name="stop_modes")
    op.drop_index("ix_stop_modes_user_id", table_name="stop_modes")
    op.drop_table("stop_modes")
