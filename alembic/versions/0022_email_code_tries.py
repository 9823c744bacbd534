"""email code tries: the wrong codes told for an address, which void its code past a few

Revision ID: 0022_email_code_tries
Revises: 0021_automations
Create Date: 2026-12-07 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_email_code_tries"
down_revision: str | None = "0021_automations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notify_channels") as batch:
        batch.add_column(sa.Column("code_tries", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("notify_channels") as batch:
        batch.drop_column("code_tries")
