"""A user's own most leverage on futures (risk_settings.max_leverage; null keeps the operator's)

Revision ID: 0019_max_leverage
Revises: 0018_paper_futures
Create Date: 2026-12-10 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0019_max_leverage"
down_revision: str | None = "0018_paper_futures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("risk_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("max_leverage", storage.types.Money(precision=38, scale=18), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("risk_settings", schema=None) as batch_op:
        batch_op.drop_column("max_leverage")
