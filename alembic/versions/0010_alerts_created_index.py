"""An index on active alerts by creation time: the alert watcher reads the alerts set since its last look

Revision ID: 0010_alerts_created_index
Revises: 0009_deposit_pending
Create Date: 2026-11-24 21:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_alerts_created_index"
down_revision: str | None = "0009_deposit_pending"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_status_created_at", ["status", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_status_created_at")
