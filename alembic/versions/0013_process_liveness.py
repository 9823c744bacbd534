"""Processes that beat while they live, and the process that sent each order: an order a dead process left in
flight is looked up at once rather than after the longest flight

Revision ID: 0013_process_liveness
Revises: 0012_draft_replaces_order
Create Date: 2026-12-06 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0013_process_liveness"
down_revision: str | None = "0012_draft_replaces_order"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "processes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("started_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("beat_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("placed_by", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("placed_by")
    op.drop_table("processes")
