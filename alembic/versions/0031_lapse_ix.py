"""stop modes: a partial index on the expiry of previews not confirmed, for the leader's sweep of lapsed ones

Revision ID: 0031_lapse_ix
Revises: 0030_otp
Create Date: 2026-12-07 19:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031_lapse_ix"
down_revision: str | None = "0030_otp"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNCONFIRMED = sa.text("confirmed_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_stop_modes_lapsing_previews",
        "stop_modes",
        ["expires_at"],
        sqlite_where=UNCONFIRMED,
        postgresql_where=UNCONFIRMED,
    )


def downgrade() -> None:
    op.drop_index("ix_stop_modes_lapsing_previews", table_name="stop_modes")
