"""What each serving process serves (`tsbot run` or `tsbot web`): without Redis, a second `tsbot run` on the
same database is refused while the first beats

Revision ID: 0014_process_kind
Revises: 0013_process_liveness
Create Date: 2026-12-06 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_process_kind"
down_revision: str | None = "0013_process_liveness"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=8), server_default="run", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("processes", schema=None) as batch_op:
        batch_op.drop_column("kind")
