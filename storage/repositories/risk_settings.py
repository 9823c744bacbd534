"""A user's own risk limits, one row per user; no row (or a null column) keeps the operator's."""

from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.access_models import RiskSettingsRow
from storage.models import table_of
from storage.transaction import Transaction
from trading.domain.risk import RiskOverrides

_RISK_SETTINGS = table_of(RiskSettingsRow)
# Built once on the Core table: every order preview reads it (storage.models.table_of).
_LIMITS_OF = select(_RISK_SETTINGS).where(_RISK_SETTINGS.c.user_id == bindparam("user_id"))
LIMIT_COLUMNS = tuple(c for c in _RISK_SETTINGS.c if c.name not in ("user_id", "updated_at"))


def overrides_of(row: Row[Any]) -> RiskOverrides:
    """The limits in a row carrying the LIMIT_COLUMNS (null where the user set none)."""
    return RiskOverrides(
        max_order_value=row.max_order_value,
        max_position_share=row.max_position_share,
        max_open_positions=row.max_open_positions,
        daily_loss_limit=row.daily_loss_limit,
        require_stop_for_leverage=row.require_stop_for_leverage,
        max_leverage=row.max_leverage,
        max_margin_share=row.max_margin_share,
    )


class SqlRiskSettingsRepository:
    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    async def get(self, user_id: int) -> RiskOverrides:
        row = (await self._tx.execute(_LIMITS_OF, {"user_id": user_id})).one_or_none()
        return RiskOverrides() if row is None else overrides_of(row)

    async def save(self, user_id: int, overrides: RiskOverrides, now: datetime) -> None:
        """Replace the user's limits; empty overrides remove the row. One statement, so two saves at once
        for a user without a row cannot both insert."""
        if overrides.empty:
            await self._tx.execute(delete(RiskSettingsRow).where(RiskSettingsRow.user_id == user_id))
            return
        values = {
            "max_order_value": overrides.max_order_value,
            "max_position_share": overrides.max_position_share,
            "max_open_positions": overrides.max_open_positions,
            "daily_loss_limit": overrides.daily_loss_limit,
            "require_stop_for_leverage": overrides.require_stop_for_leverage,
            "max_leverage": overrides.max_leverage,
            "max_margin_share": overrides.max_margin_share,
            "updated_at": now,
        }
        insert = pg_insert if self._tx.dialect == "postgresql" else sqlite_insert
        statement = insert(RiskSettingsRow).values(user_id=user_id, **values)
        await self._tx.execute(statement.on_conflict_do_update(index_elements=["user_id"], set_=values))
