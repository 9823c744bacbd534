from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from storage.models import FillRow, OrderDraftRow, OrderRow
from storage.repositories.orders import ORDERS, order_of
from storage.signal_models import SignalRow, SignalSourceRow
from storage.stop_mode_models import StopModeRow
from storage.transaction import Transaction
from trading.domain.enums import OPEN_STATUSES, DraftStatus, Side
from trading.domain.orders import Fill, Order
from trading.domain.signal_records import (
    SignalOutcome,
    SignalRecord,
    SignalSource,
    SignalStatus,
    SourceMarket,
    SourceSettings,
)
from trading.domain.signals import SignalSpec
from trading.domain.stop_modes import StopModeKind

# An order in one of these can still trade: a plan with one is not over.
_UNSETTLED = [status.value for status in OPEN_STATUSES]


def _source(row: SignalSourceRow) -> SignalSource:
    return SignalSource(
        row.id,
        row.user_id,
        row.external_id,
        row.title,
        row.auto_follow,
        row.move_stop_to_entry,
        SourceSettings(SourceMarket(row.market), row.risk_percent),
        None if row.stop_mode is None else StopModeKind(row.stop_mode),
        row.stop_mode_percent,
        row.stop_mode_after_target or 1,
    )


def _signal(row: SignalRow) -> SignalRecord:
    spec = SignalSpec(
        symbol=row.symbol,
        side=Side(row.side),
        entries=tuple(Decimal(e) for e in row.entries),
        targets=tuple(Decimal(t) for t in row.targets),
        stop_loss=row.stop_loss,
        leverage=row.leverage,
        breakout=row.breakout,
    )
    return SignalRecord(
        id=row.id,
        source_id=row.source_id,
        user_id=row.user_id,
        content_hash=row.content_hash,
        spec=spec,
        status=SignalStatus(row.status),
        created_at=row.created_at,
        outcome=row.outcome,
        pnl=row.pnl,
        group_id=row.group_id,
        closed_at=row.closed_at,
        post_id=row.post_id,
    )


def _spec_columns(spec: SignalSpec) -> dict[str, object]:
    return {
        "symbol": spec.symbol,
        "side": spec.side.value,
        "entries": [format(e, "f") for e in spec.entries],
        "targets": [format(t, "f") for t in spec.targets],
        "stop_loss": spec.stop_loss,
        "leverage": spec.leverage,
        "breakout": spec.breakout,
    }


class SqlSignalRepository:
    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    async def source(self, user_id: int, external_id: str, title: str, now: datetime) -> SignalSource:
        session = await self._tx.session()
        row = await session.scalar(
            select(SignalSourceRow).where(
                SignalSourceRow.user_id == user_id, SignalSourceRow.external_id == external_id
            )
        )
        if row is None:
            row = SignalSourceRow(
                user_id=user_id,
                external_id=external_id,
                title=title[:200],
                auto_follow=False,
                move_stop_to_entry=False,
                created_at=now,
                market=SourceMarket.AUTO.value,
            )
            session.add(row)
            await session.flush()
        return _source(row)

    async def sources_for_external(self, external_id: str) -> Sequence[SignalSource]:
        session = await self._tx.session()
        rows = await session.scalars(
            select(SignalSourceRow).where(SignalSourceRow.external_id == external_id)
        )
        return [_source(row) for row in rows]

    async def set_auto_follow(
        self, user_id: int, source_id: int, auto_follow: bool, move_stop_to_entry: bool | None = None
    ) -> SignalSource | None:
        session = await self._tx.session()
        row = await session.get(SignalSourceRow, source_id)
        if row is None or row.user_id != user_id:
            return None
        row.auto_follow = auto_follow
        if move_stop_to_entry is not None:
            row.move_stop_to_entry = move_stop_to_entry
        return _source(row)

    async def set_settings(
        self, user_id: int, source_id: int, settings: SourceSettings
    ) -> SignalSource | None:
        session = await self._tx.session()
        row = await session.get(SignalSourceRow, source_id)
        if row is None or row.user_id != user_id:
            return None
        row.market, row.risk_percent = settings.market.value, settings.risk_percent
        return _source(row)

    async def set_stop_mode(
        self,
        user_id: int,
        source_id: int,
        kind: StopModeKind | None,
        percent: Decimal | None,
        after_target: int,
    ) -> SignalSource | None:
        session = await self._tx.session()
        row = await session.get(SignalSourceRow, source_id)
        if row is None or row.user_id != user_id:
            return None
        row.stop_mode = None if kind is None else kind.value
        row.stop_mode_percent, row.stop_mode_after_target = percent, after_target
        return _source(row)

    async def source_of_plan(self, group_id: str) -> SignalSource | None:
        session = await self._tx.session()
        query = (
            select(SignalSourceRow)
            .join(SignalRow, SignalRow.source_id == SignalSourceRow.id)
            .where(SignalRow.group_id == group_id)
            .limit(1)
        )
        row = await session.scalar(query)
        return None if row is None else _source(row)

    async def find(self, source_id: int, content_hash: str) -> SignalRecord | None:
        session = await self._tx.session()
        row = await session.scalar(
            select(SignalRow).where(SignalRow.source_id == source_id, SignalRow.content_hash == content_hash)
        )
        return _signal(row) if row else None

    async def add(
        self,
        source_id: int,
        user_id: int,
        content_hash: str,
        text: str,
        spec: SignalSpec,
        now: datetime,
        post_id: int | None = None,
    ) -> SignalRecord | None:
        session = await self._tx.session()
        row = SignalRow(
            source_id=source_id,
            user_id=user_id,
            content_hash=content_hash,
            text=text,
            **_spec_columns(spec),
            status=SignalStatus.PREVIEWED.value,
            created_at=now,
            post_id=post_id,
        )
        try:
            async with session.begin_nested():
                session.add(row)
        except IntegrityError:  # the same post from the same source, recorded by a concurrent update
            return None
        return _signal(row)

    async def for_post(self, source_id: int, post_id: int) -> SignalRecord | None:
        session = await self._tx.session()
        row = await session.scalar(
            select(SignalRow)
            .where(SignalRow.source_id == source_id, SignalRow.post_id == post_id)
            .order_by(SignalRow.id.desc())
            .limit(1)
        )
        return _signal(row) if row else None

    async def revise(
        self, user_id: int, signal_id: int, content_hash: str, text: str, spec: SignalSpec
    ) -> SignalRecord | None:
        session = await self._tx.session()
        statement = (
            update(SignalRow)
            .where(
                SignalRow.id == signal_id,
                SignalRow.user_id == user_id,
                SignalRow.status == SignalStatus.PREVIEWED.value,
            )
            .values(content_hash=content_hash, text=text, **_spec_columns(spec))
        )
        try:
            async with session.begin_nested():
                result = await session.execute(statement)
        except IntegrityError:  # the source has a signal of that content already
            return None
        if getattr(result, "rowcount", 0) != 1:
            return None
        row = await session.get(SignalRow, signal_id, populate_existing=True)
        return _signal(row) if row else None

    async def set_entry_stops(self, user_id: int, draft_ids: Sequence[str], price: Decimal) -> int:
        session = await self._tx.session()
        result = await session.execute(
            update(OrderDraftRow)
            .where(OrderDraftRow.id.in_(draft_ids), OrderDraftRow.user_id == user_id)
            .values(stop_loss=price)
        )
        return int(getattr(result, "rowcount", 0))

    async def set_status(
        self, user_id: int, signal_id: int, status: SignalStatus, expected: SignalStatus | None = None
    ) -> bool:
        session = await self._tx.session()
        statement = update(SignalRow).where(SignalRow.id == signal_id, SignalRow.user_id == user_id)
        if expected is not None:  # compare-and-set: a racing Follow and Ignore cannot both win
            statement = statement.where(SignalRow.status == expected.value)
        result = await session.execute(statement.values(status=status.value))
        return getattr(result, "rowcount", 0) == 1

    async def for_user(self, user_id: int) -> Sequence[tuple[SignalSource, Sequence[SignalRecord]]]:
        session = await self._tx.session()
        sources = await session.scalars(
            select(SignalSourceRow).where(SignalSourceRow.user_id == user_id).order_by(SignalSourceRow.id)
        )
        signals = await session.scalars(select(SignalRow).where(SignalRow.user_id == user_id))
        by_source: dict[int, list[SignalRecord]] = {}
        for row in signals:
            by_source.setdefault(row.source_id, []).append(_signal(row))
        return [(_source(s), by_source.get(s.id, [])) for s in sources]

    async def source_by_id(self, source_id: int) -> SignalSource | None:
        session = await self._tx.session()
        row = await session.get(SignalSourceRow, source_id)
        return _source(row) if row else None

    async def set_plan(self, user_id: int, signal_id: int, group_id: str) -> str | None:
        session = await self._tx.session()
        mine = (SignalRow.id == signal_id, SignalRow.user_id == user_id)
        replaced = await session.scalar(select(SignalRow.group_id).where(*mine).with_for_update())
        await session.execute(update(SignalRow).where(*mine).values(group_id=group_id))
        return replaced

    async def set_stop_to_entry(self, user_id: int, group_id: str, on: bool) -> int:
        """Break-even on or off for a plan's drafts still waiting for Follow; how many were changed."""
        session = await self._tx.session()
        result = await session.execute(
            update(OrderDraftRow)
            .where(
                OrderDraftRow.group_id == group_id,
                OrderDraftRow.user_id == user_id,
                OrderDraftRow.status == DraftStatus.PENDING.value,
            )
            .values(move_stop_to_entry=on)
        )
        return int(getattr(result, "rowcount", 0))

    async def settled_plans(self, limit: int = 200) -> Sequence[SignalRecord]:
        """Followed signals not yet closed whose plan has no order left that can trade (entries and legs)."""
        session = await self._tx.session()
        entry, leg = aliased(OrderRow), aliased(OrderRow)
        entries = (
            select(entry.id)
            .join(OrderDraftRow, entry.draft_id == OrderDraftRow.id)
            .where(OrderDraftRow.group_id == SignalRow.group_id)
        )
        live_entry = entries.where(entry.status.in_(_UNSETTLED)).exists()
        live_leg = select(leg.id).where(leg.parent_id.in_(entries), leg.status.in_(_UNSETTLED)).exists()
        # A trailing entry armed may still buy: the plan is not over while one waits.
        armed_entry = (
            select(StopModeRow.id)
            .where(StopModeRow.group_id == SignalRow.group_id, StopModeRow.confirmed_at.is_not(None))
            .exists()
        )
        rows = await session.scalars(
            select(SignalRow)
            .where(
                SignalRow.status == SignalStatus.FOLLOWED.value,
                SignalRow.group_id.is_not(None),
                SignalRow.closed_at.is_(None),
                ~live_entry,
                ~live_leg,
                ~armed_entry,
            )
            .order_by(SignalRow.id)
            .limit(limit)
        )
        return [_signal(row) for row in rows]

    @staticmethod
    def _plan_order_ids(group_id: str) -> ColumnElement[bool]:
        entry = aliased(OrderRow)
        entries = (
            select(entry.id)
            .join(OrderDraftRow, entry.draft_id == OrderDraftRow.id)
            .where(OrderDraftRow.group_id == group_id)
        )
        return OrderRow.id.in_(entries) | OrderRow.parent_id.in_(entries)

    async def plan_orders(self, group_id: str) -> Sequence[Order]:
        """A plan's entries and their bracket legs."""
        session = await self._tx.session()
        # Rows, not ORM objects: the order repository writes orders past the session's identity map.
        rows = await session.execute(
            select(ORDERS).where(self._plan_order_ids(group_id)).order_by(ORDERS.c.id)
        )
        return [order_of(row) for row in rows]

    async def plan_fills(self, group_id: str) -> Sequence[Fill]:
        session = await self._tx.session()
        rows = await session.scalars(
            select(FillRow)
            .join(OrderRow, FillRow.order_id == OrderRow.id)
            .where(self._plan_order_ids(group_id))
            .order_by(FillRow.id)
        )
        return [
            Fill(
                row.order_id, row.trade_id, row.quantity, row.price, row.fee, row.fee_currency, row.timestamp
            )
            for row in rows
        ]

    async def close(
        self, signal_id: int, outcome: SignalOutcome | None, pnl: Decimal | None, now: datetime
    ) -> bool:
        """Record how a signal ended, once: True for the one caller that closed it."""
        session = await self._tx.session()
        result = await session.execute(
            update(SignalRow)
            .where(SignalRow.id == signal_id, SignalRow.closed_at.is_(None))
            .values(outcome=outcome.value if outcome else None, pnl=pnl, closed_at=now)
        )
        return getattr(result, "rowcount", 0) == 1

    async def unreported_closed(self, limit: int) -> Sequence[SignalRecord]:
        session = await self._tx.session()
        rows = await session.scalars(
            select(SignalRow)
            .where(SignalRow.reported_at.is_(None), SignalRow.closed_at.is_not(None))
            .order_by(SignalRow.id)
            .limit(limit)
        )
        return [_signal(row) for row in rows]

    async def mark_reported(self, signal_ids: Sequence[int], now: datetime) -> int:
        if not signal_ids:
            return 0
        session = await self._tx.session()
        result = await session.execute(
            update(SignalRow)
            .where(SignalRow.id.in_(signal_ids), SignalRow.reported_at.is_(None))
            .values(reported_at=now)
        )
        return int(getattr(result, "rowcount", 0))
