"""Stop modes set on positions: previewed, confirmed once, read by the price watch, their extremes kept."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.models import table_of
from storage.stop_mode_models import StopModeRow
from storage.transaction import Transaction
from trading.domain.stop_modes import PositionStopMode, StopMode, StopModeKind

_MODES = table_of(StopModeRow)


def _record(row: Row[Any]) -> PositionStopMode:
    mode = StopMode(
        StopModeKind(row.kind),
        row.long,
        row.entry,
        row.extreme,
        row.percent,
        row.after_target,
        tuple(Decimal(t) for t in row.targets.split()),
    )
    return PositionStopMode(
        row.id,
        row.user_id,
        row.account_id,
        row.symbol,
        mode,
        row.created_at,
        row.expires_at,
        row.confirmed_at,
        row.group_id,
    )


def _active_key(record: PositionStopMode) -> str:
    """One mode in force per position, and one trailing entry per market beside it; a signal plan's trailing
    entries each their own, beside those."""
    account_id, symbol = record.account_id, record.symbol
    if record.group_id is not None:
        return f"{account_id}:{symbol}:entry:{record.id}"
    entry = ":entry" if record.mode.kind is StopModeKind.TRAILING_ENTRY else ""
    return f"{account_id}:{symbol}{entry}"


class SqlStopModeRepository:
    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    async def add(self, record: PositionStopMode) -> None:
        mode = record.mode
        confirmed = record.confirmed_at is not None
        insert_of = pg_insert if self._tx.dialect == "postgresql" else sqlite_insert
        await self._tx.execute(
            insert_of(_MODES)
            .values(
                id=record.id,
                user_id=record.user_id,
                account_id=record.account_id,
                symbol=record.symbol,
                kind=mode.kind.value,
                long=mode.long,
                entry=mode.entry,
                extreme=mode.extreme,
                percent=mode.percent,
                after_target=mode.after_target,
                targets=" ".join(str(t) for t in mode.targets),
                created_at=record.created_at,
                expires_at=record.expires_at,
                confirmed_at=record.confirmed_at,
                active_key=_active_key(record) if confirmed else None,
                group_id=record.group_id,
            )
            .on_conflict_do_nothing(index_elements=["active_key"])  # a mode in force on it already stays
        )

    async def get(self, mode_id: str) -> PositionStopMode | None:
        row = (await self._tx.execute(select(_MODES).where(_MODES.c.id == mode_id))).one_or_none()
        return _record(row) if row is not None else None

    async def confirm(self, mode_id: str, user_id: int, now: datetime) -> PositionStopMode | None:
        record = await self.get(mode_id)
        if record is None or record.user_id != user_id or record.confirmed_at is not None:
            return None
        key = _active_key(record)
        await self._tx.execute(delete(_MODES).where(_MODES.c.active_key == key, _MODES.c.id != mode_id))
        claimed = (
            update(_MODES)
            .where(_MODES.c.id == mode_id, _MODES.c.confirmed_at.is_(None), _MODES.c.expires_at > now)
            .values(confirmed_at=now, active_key=key)
        )
        if (await self._tx.execute(claimed)).rowcount != 1:
            return None
        return await self.get(mode_id)

    async def discard(self, mode_id: str, user_id: int) -> bool:
        preview = delete(_MODES).where(
            _MODES.c.id == mode_id, _MODES.c.user_id == user_id, _MODES.c.confirmed_at.is_(None)
        )
        return (await self._tx.execute(preview)).rowcount == 1

    async def lapsed_previews(self, now: datetime) -> Sequence[PositionStopMode]:
        query = select(_MODES).where(_MODES.c.confirmed_at.is_(None), _MODES.c.expires_at <= now)
        return [_record(row) for row in await self._tx.execute(query)]

    async def active(self, symbols: Sequence[str] | None = None) -> Sequence[PositionStopMode]:
        query = select(_MODES).where(_MODES.c.confirmed_at.is_not(None))
        if symbols is not None:
            query = query.where(_MODES.c.symbol.in_(symbols))
        return [_record(row) for row in await self._tx.execute(query)]

    async def of_user(self, user_id: int) -> Sequence[PositionStopMode]:
        query = select(_MODES).where(_MODES.c.user_id == user_id, _MODES.c.confirmed_at.is_not(None))
        return [_record(row) for row in await self._tx.execute(query.order_by(_MODES.c.symbol))]

    async def save_extreme(self, mode_id: str, extreme: Decimal) -> None:
        await self._tx.execute(update(_MODES).where(_MODES.c.id == mode_id).values(extreme=extreme))

    async def of_group(self, group_id: str) -> Sequence[PositionStopMode]:
        query = select(_MODES).where(_MODES.c.group_id == group_id, _MODES.c.confirmed_at.is_not(None))
        return [_record(row) for row in await self._tx.execute(query.order_by(_MODES.c.created_at))]

    async def end(self, mode_id: str) -> bool:
        return (await self._tx.execute(delete(_MODES).where(_MODES.c.id == mode_id))).rowcount == 1
