"""rebalancing on a schedule or past a drift: a plan's target shares and its drift threshold, and the claim an
attempt takes on a run before it trades

Revision ID: 0028_rebal
Revises: 0027_trail
Create Date: 2026-12-13 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0028_rebal"
down_revision: str | None = "0027_trail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as plans:
        plans.add_column(sa.Column("shares", sa.JSON()))
        plans.add_column(sa.Column("drift", storage.types.Money(precision=38, scale=18)))
    with op.batch_alter_table("plan_runs") as runs:
        runs.add_column(sa.Column("claimed_at", storage.types.UtcDateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("plan_runs") as runs:
        runs.drop_column("claimed_at")
    with op.batch_alter_table("plans") as plans:
        plans.drop_column("drift")
        plans.drop_column("shares")
