"""notice charts: a notice the portfolio chart goes with (a weekly summary's)

Revision ID: 0023_notice_charts
Revises: 0022_email_code_tries
Create Date: 2026-12-07 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_notice_charts"
down_revision: str | None = "0022_email_code_tries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("with_chart", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("with_chart")
