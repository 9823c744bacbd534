"""A user's protections of automatic following, the pauses on it, what the protections count (stops filled,
a source's outcomes) and the kill switch's confirmations."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.models import OrderRow, table_of
from storage.protection_models import FollowPauseRow, KillSwitchConfirmationRow, ProtectionSettingsRow
from storage.signal_models import SignalRow
from storage.transaction import Transaction
from trading.domain.enums import OrderRole, OrderType, Side
from trading.domain.protections import FollowPause, PauseKind, ProtectionOverrides

_SETTINGS = table_of(ProtectionSettingsRow)
_PAUSES = table_of(FollowPauseRow)
_CONFIRMATIONS = table_of(KillSwitchConfirmationRow)
_ORDERS = table_of(OrderRow)
_SIGNALS = table_of(SignalRow)
# A kill switch's preview is kept this long past its expiry: a late Confirm is told it expired.
_EXPIRED_KEPT = timedelta(days=1)


def _pause(row: Row[Any]) -> FollowPause:
    return FollowPause(
        row.id,
        row.user_id,
        PauseKind(row.kind),
        row.reason,
        row.started_at,
        row.source_id,
        row.until,
        row.ended_at,
    )


def _active_key(pause: FollowPause) -> str:
    return f"{pause.user_id}:{pause.kind.value}:{pause.source_id or ''}"


class SqlProtectionRepository:
    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    async def settings(self, user_id: int) -> ProtectionOverrides:
        query = select(_SETTINGS).where(_SETTINGS.c.user_id == user_id)
        row = (await self._tx.execute(query)).one_or_none()
        if row is None:
            return ProtectionOverrides()
        return ProtectionOverrides(
            row.max_drawdown,
            row.drawdown_hours,
            row.stoploss_guard,
            row.stoploss_guard_hours,
            row.cooldown_hours,
            row.losing_streak,
        )

    async def save_settings(self, user_id: int, overrides: ProtectionOverrides, now: datetime) -> None:
        """Replace the user's protections in one statement; empty overrides remove the row."""
        if overrides.empty:
            await self._tx.execute(delete(_SETTINGS).where(_SETTINGS.c.user_id == user_id))
            return
        o = overrides
        values = {
            "max_drawdown": o.max_drawdown,
            "drawdown_hours": o.drawdown_hours,
            "stoploss_guard": o.stoploss_guard,
            "stoploss_guard_hours": o.stoploss_guard_hours,
            "cooldown_hours": o.cooldown_hours,
            "losing_streak": o.losing_streak,
            "updated_at": now,
        }
        insert_of = pg_insert if self._tx.dialect == "postgresql" else sqlite_insert
        statement = insert_of(_SETTINGS).values(user_id=user_id, **values)
        await self._tx.execute(statement.on_conflict_do_update(index_elements=["user_id"], set_=values))

    async def pauses(self, user_id: int) -> Sequence[FollowPause]:
        query = (
            select(_PAUSES)
            .where(_PAUSES.c.user_id == user_id, _PAUSES.c.ended_at.is_(None))
            .order_by(_PAUSES.c.id)
        )
        return [_pause(row) for row in await self._tx.execute(query)]

    async def add_pause(self, pause: FollowPause) -> FollowPause | None:
        insert_of = pg_insert if self._tx.dialect == "postgresql" else sqlite_insert
        statement = (
            insert_of(_PAUSES)
            .values(
                user_id=pause.user_id,
                source_id=pause.source_id,
                kind=pause.kind.value,
                reason=pause.reason,
                started_at=pause.started_at,
                until=pause.until,
                active_key=_active_key(pause),
            )
            .on_conflict_do_nothing(index_elements=["active_key"])
            .returning(*_PAUSES.c)
        )
        row = (await self._tx.execute(statement)).one_or_none()
        return _pause(row) if row is not None else None

    async def lift(self, pause_id: int, now: datetime) -> bool:
        statement = (
            update(_PAUSES)
            .where(_PAUSES.c.id == pause_id, _PAUSES.c.ended_at.is_(None))
            .values(ended_at=now, active_key=None)
        )
        return (await self._tx.execute(statement)).rowcount == 1

    async def last_pause(
        self, user_id: int, kind: PauseKind, source_id: int | None = None
    ) -> FollowPause | None:
        query = (
            select(_PAUSES)
            .where(
                _PAUSES.c.user_id == user_id,
                _PAUSES.c.kind == kind.value,
                _PAUSES.c.source_id.is_(None) if source_id is None else _PAUSES.c.source_id == source_id,
            )
            .order_by(_PAUSES.c.id.desc())
            .limit(1)
        )
        row = (await self._tx.execute(query)).one_or_none()
        return _pause(row) if row is not None else None

    async def cooldowns_over(self, now: datetime, limit: int) -> Sequence[FollowPause]:
        query = (
            select(_PAUSES)
            .where(_PAUSES.c.ended_at.is_(None), _PAUSES.c.until <= now)
            .order_by(_PAUSES.c.until)
            .limit(limit)
        )
        return [_pause(row) for row in await self._tx.execute(query)]

    async def stop_outs(self, user_id: int, since: datetime) -> int:
        # A stop sale of spot coins held (no ':' in a spot symbol): on futures a stop entry opens a position.
        stop_sale = and_(
            _ORDERS.c.role == OrderRole.ENTRY.value,
            _ORDERS.c.order_type == OrderType.STOP.value,
            _ORDERS.c.side == Side.SELL.value,
            _ORDERS.c.symbol.not_like("%:%"),
        )
        query = select(func.count()).where(
            _ORDERS.c.user_id == user_id,
            _ORDERS.c.filled > 0,
            _ORDERS.c.updated_at > since,
            or_(_ORDERS.c.role == OrderRole.STOP_LOSS.value, stop_sale),
        )
        return int(await self._tx.scalar(query) or 0)

    async def source_outcomes(self, source_id: int, since: datetime | None, limit: int) -> Sequence[str]:
        conditions = [_SIGNALS.c.source_id == source_id, _SIGNALS.c.outcome.is_not(None)]
        if since is not None:
            conditions.append(_SIGNALS.c.closed_at > since)
        query = (
            select(_SIGNALS.c.outcome)
            .where(*conditions)
            .order_by(_SIGNALS.c.closed_at.desc(), _SIGNALS.c.id.desc())
            .limit(limit)
        )
        return [str(outcome) for outcome in (await self._tx.execute(query)).scalars()]

    async def add_confirmation(
        self, confirmation_id: str, user_id: int, action: str, now: datetime, expires_at: datetime
    ) -> None:
        forgotten = and_(
            _CONFIRMATIONS.c.user_id == user_id, _CONFIRMATIONS.c.expires_at < now - _EXPIRED_KEPT
        )
        await self._tx.execute(delete(_CONFIRMATIONS).where(forgotten))
        await self._tx.execute(
            insert(_CONFIRMATIONS).values(
                id=confirmation_id, user_id=user_id, action=action, created_at=now, expires_at=expires_at
            )
        )

    async def claim_confirmation(
        self, confirmation_id: str, user_id: int, action: str, now: datetime
    ) -> bool:
        statement = (
            update(_CONFIRMATIONS)
            .where(
                _CONFIRMATIONS.c.id == confirmation_id,
                _CONFIRMATIONS.c.user_id == user_id,
                _CONFIRMATIONS.c.action == action,
                _CONFIRMATIONS.c.used_at.is_(None),
                _CONFIRMATIONS.c.expires_at > now,
            )
            .values(used_at=now)
        )
        return (await self._tx.execute(statement)).rowcount == 1

    async def confirmation_used(self, confirmation_id: str, user_id: int, action: str) -> bool | None:
        query = select(_CONFIRMATIONS.c.used_at).where(
            _CONFIRMATIONS.c.id == confirmation_id,
            _CONFIRMATIONS.c.user_id == user_id,
            _CONFIRMATIONS.c.action == action,
        )
        row = (await self._tx.execute(query)).one_or_none()
        return None if row is None else row.used_at is not None
