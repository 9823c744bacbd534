from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select, update

from storage.models import table_of
from storage.signal_models import AlertRow
from storage.transaction import Transaction
from trading.domain.alerts import Alert, AlertCondition, AlertStatus

_ALERTS = table_of(AlertRow)
# Run every tick of the watcher: built once, on the Core table.
_ACTIVE_SET_SINCE = (
    select(_ALERTS)
    .where(_ALERTS.c.status == AlertStatus.ACTIVE.value, _ALERTS.c.created_at >= bindparam("since"))
    .order_by(_ALERTS.c.id)
)


def _alert(row: Any) -> Alert:
    """From an AlertRow or a Core row of the alerts table."""
    return Alert(
        id=row.id,
        user_id=row.user_id,
        symbol=row.symbol,
        condition=AlertCondition(row.condition),
        threshold=row.threshold,
        status=AlertStatus(row.status),
        created_at=row.created_at,
        fired_at=row.fired_at,
    )


class SqlAlertRepository:
    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    async def add(
        self, user_id: int, symbol: str, condition: AlertCondition, threshold: Decimal, now: datetime
    ) -> Alert:
        session = await self._tx.session()
        row = AlertRow(
            user_id=user_id,
            symbol=symbol,
            condition=condition.value,
            threshold=threshold,
            status=AlertStatus.ACTIVE.value,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        return _alert(row)

    async def for_user(self, user_id: int) -> Sequence[Alert]:
        session = await self._tx.session()
        rows = await session.scalars(
            select(AlertRow)
            .where(AlertRow.user_id == user_id, AlertRow.status == AlertStatus.ACTIVE.value)
            .order_by(AlertRow.id)
        )
        return [_alert(row) for row in rows]

    async def active(self) -> Sequence[Alert]:
        session = await self._tx.session()
        rows = await session.scalars(
            select(AlertRow).where(AlertRow.status == AlertStatus.ACTIVE.value).order_by(AlertRow.id)
        )
        return [_alert(row) for row in rows]

    async def active_set_since(self, since: datetime) -> Sequence[Alert]:
        return [_alert(row) for row in await self._tx.execute(_ACTIVE_SET_SINCE, {"since": since})]

    async def fire(self, alert_id: int, now: datetime) -> bool:
        return await self._leave_active(alert_id, None, AlertStatus.FIRED, now)

    async def delete(self, user_id: int, alert_id: int) -> bool:
        return await self._leave_active(alert_id, user_id, AlertStatus.DELETED, None)

    async def _leave_active(
        self, alert_id: int, user_id: int | None, status: AlertStatus, now: datetime | None
    ) -> bool:
        session = await self._tx.session()
        statement = update(AlertRow).where(
            AlertRow.id == alert_id, AlertRow.status == AlertStatus.ACTIVE.value
        )
        if user_id is not None:
            statement = statement.where(AlertRow.user_id == user_id)
        values: dict[str, Any] = {"status": status.value}
        if now is not None:
            values["fired_at"] = now
        result = await session.execute(statement.values(**values))
        return getattr(result, "rowcount", 0) == 1
