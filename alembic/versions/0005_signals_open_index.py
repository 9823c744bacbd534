"""an index for the tracker's search of followed signals not yet closed

Revision ID: 0005_signals_open_index
Revises: 0004_signal_outcomes_risk
Create Date: 2026-11-24 09:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_signals_open_index"
down_revision: str | None = "0004_signal_outcomes_risk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.create_index("ix_signals_status_closed_at", ["status", "closed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index("ix_signals_status_closed_at")
