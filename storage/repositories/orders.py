from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FillRow, OrderDraftRow, OrderRow
from trading.domain.enums import DraftStatus, OrderRole, OrderStatus, OrderType, Side
from trading.domain.orders import Fill, Order, OrderDraft, Preview


def _preview_json(preview: Preview) -> dict[str, str | None]:
    return {name: None if value is None else str(value) for name, value in asdict(preview).items()}


def _preview(data: dict[str, str | None]) -> Preview:
    values = {name: None if value is None else Decimal(value) for name, value in data.items()}
    return Preview(**values)  # type: ignore[arg-type]


def _draft(row: OrderDraftRow) -> OrderDraft:
    return OrderDraft(
        id=row.id,
        user_id=row.user_id,
        account_id=row.account_id,
        symbol=row.symbol,
        side=Side(row.side),
        order_type=OrderType(row.order_type),
        quantity=row.quantity,
        price=row.price,
        preview=_preview(row.preview),
        created_at=row.created_at,
        expires_at=row.expires_at,
        status=DraftStatus(row.status),
        stop_loss=row.stop_loss,
        take_profits=tuple(Decimal(target) for target in row.take_profits),
        leverage=row.leverage,
        group_id=row.group_id,
        move_stop_to_entry=row.move_stop_to_entry,
    )


class SqlDraftRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, draft: OrderDraft) -> None:
        self._session.add(
            OrderDraftRow(
                id=draft.id,
                user_id=draft.user_id,
                account_id=draft.account_id,
                symbol=draft.symbol,
                side=draft.side.value,
                order_type=draft.order_type.value,
                quantity=draft.quantity,
                price=draft.price,
                stop_loss=draft.stop_loss,
                take_profits=[str(target) for target in draft.take_profits],
                leverage=draft.leverage,
                preview=_preview_json(draft.preview),
                group_id=draft.group_id,
                move_stop_to_entry=draft.move_stop_to_entry,
                status=draft.status.value,
                created_at=draft.created_at,
                expires_at=draft.expires_at,
            )
        )

    async def get(self, draft_id: str) -> OrderDraft | None:
        row = await self._session.get(OrderDraftRow, draft_id)
        return _draft(row) if row else None

    async def in_group(self, group_id: str) -> Sequence[OrderDraft]:
        rows = await self._session.scalars(
            select(OrderDraftRow).where(OrderDraftRow.group_id == group_id).order_by(OrderDraftRow.created_at)
        )
        return [_draft(row) for row in rows]

    async def claim(self, draft_id: str, user_id: int, now: datetime) -> OrderDraft | None:
        """Out of pending into submitted, if unexpired: the draft (read back in the same statement) for the one
        caller whose update matched, None for every other."""
        row = await self._leave_pending(
            draft_id, user_id, DraftStatus.SUBMITTED, OrderDraftRow.expires_at > now
        )
        return _draft(row) if row else None

    async def cancel(self, draft_id: str, user_id: int) -> bool:
        return await self._leave_pending(draft_id, user_id, DraftStatus.CANCELLED) is not None

    async def _leave_pending(
        self, draft_id: str, user_id: int, status: DraftStatus, *conditions: ColumnElement[bool]
    ) -> OrderDraftRow | None:
        """Compare-and-set out of pending: the row as updated for the one caller whose update matched."""
        return await self._session.scalar(
            update(OrderDraftRow)
            .where(
                OrderDraftRow.id == draft_id,
                OrderDraftRow.user_id == user_id,
                OrderDraftRow.status == DraftStatus.PENDING.value,
                *conditions,
            )
            .values(status=status.value)
            .returning(OrderDraftRow),
            execution_options={"synchronize_session": False},
        )


_ORDER_FIELDS = [
    "user_id",
    "account_id",
    "client_order_id",
    "draft_id",
    "parent_id",
    "symbol",
    "quantity",
    "price",
    "exchange_order_id",
    "filled",
    "average_price",
    "fee",
    "error",
    "created_at",
    "updated_at",
]


def _order(row: OrderRow) -> Order:
    return Order(
        id=row.id,
        side=Side(row.side),
        order_type=OrderType(row.order_type),
        status=OrderStatus(row.status),
        role=OrderRole(row.role),
        **{name: getattr(row, name) for name in _ORDER_FIELDS},
    )


def _order_values(order: Order) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(order, name) for name in _ORDER_FIELDS}
    values.update(
        side=order.side.value,
        order_type=order.order_type.value,
        status=order.status.value,
        role=order.role.value,
    )
    return values


class SqlOrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # The session keeps rows only weakly: hold the ones read, so that updating them needs no SELECT.
        self._rows: dict[int, OrderRow] = {}

    def _held(self, row: OrderRow) -> Order:
        self._rows[row.id] = row
        return _order(row)

    async def add(self, order: Order) -> Order:
        row = OrderRow(**_order_values(order))
        self._session.add(row)
        await self._session.flush()
        return self._held(row)

    async def get(self, order_id: int) -> Order | None:
        row = await self._session.get(OrderRow, order_id)
        return self._held(row) if row else None

    async def by_client_id(self, client_order_id: str) -> Order | None:
        row = await self._session.scalar(select(OrderRow).where(OrderRow.client_order_id == client_order_id))
        return self._held(row) if row else None

    async def update(self, order: Order) -> None:
        # A row read in this transaction is changed in place: no SELECT, only changed columns written.
        row = self._rows.get(order.id) or await self._session.get(OrderRow, order.id)
        if row is None:
            raise LookupError(f"order {order.id} vanished")
        for name, value in _order_values(order).items():
            setattr(row, name, value)

    async def transition(self, order_id: int, from_status: OrderStatus, to_status: OrderStatus) -> bool:
        result = await self._session.execute(
            update(OrderRow)
            .where(OrderRow.id == order_id, OrderRow.status == from_status.value)
            .values(status=to_status.value)
        )
        return getattr(result, "rowcount", 0) == 1

    async def for_user(
        self, user_id: int, statuses: Sequence[OrderStatus] | None = None, limit: int = 100
    ) -> Sequence[Order]:
        query = select(OrderRow).where(OrderRow.user_id == user_id)
        if statuses is not None:
            query = query.where(OrderRow.status.in_([status.value for status in statuses]))
        rows = await self._session.scalars(query.order_by(OrderRow.id.desc()).limit(limit))
        return [self._held(row) for row in rows]

    async def with_status(self, statuses: Sequence[OrderStatus]) -> Sequence[Order]:
        rows = await self._session.scalars(
            select(OrderRow)
            .where(OrderRow.status.in_([status.value for status in statuses]))
            .order_by(OrderRow.id)
        )
        return [self._held(row) for row in rows]

    async def children(self, parent_id: int) -> Sequence[Order]:
        rows = await self._session.scalars(
            select(OrderRow).where(OrderRow.parent_id == parent_id).order_by(OrderRow.id)
        )
        return [self._held(row) for row in rows]

    async def resting_stops(self, account_id: int, symbol: str) -> Sequence[Order]:
        rows = await self._session.scalars(
            select(OrderRow)
            .where(
                OrderRow.account_id == account_id,
                OrderRow.symbol == symbol,
                OrderRow.role == OrderRole.STOP_LOSS.value,
                OrderRow.status == OrderStatus.OPEN.value,
            )
            .order_by(OrderRow.id)
        )
        return [self._held(row) for row in rows]

    async def count_for_user(self, user_id: int) -> int:
        count = await self._session.scalar(
            select(func.count()).select_from(OrderRow).where(OrderRow.user_id == user_id)
        )
        return int(count or 0)


class SqlFillRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, fill: Fill) -> bool:
        insert = pg_insert if self._session.get_bind().dialect.name == "postgresql" else sqlite_insert
        result = await self._session.execute(
            insert(FillRow)
            .values(
                order_id=fill.order_id,
                trade_id=fill.trade_id,
                quantity=fill.quantity,
                price=fill.price,
                fee=fill.fee,
                fee_currency=fill.fee_currency,
                timestamp=fill.timestamp,
            )
            .on_conflict_do_nothing(index_elements=["order_id", "trade_id"])
        )
        return getattr(result, "rowcount", 0) == 1

    async def for_order(self, order_id: int) -> Sequence[Fill]:
        rows = await self._session.scalars(
            select(FillRow).where(FillRow.order_id == order_id).order_by(FillRow.id)
        )
        return [
            Fill(
                order_id=row.order_id,
                trade_id=row.trade_id,
                quantity=row.quantity,
                price=row.price,
                fee=row.fee,
                fee_currency=row.fee_currency,
                timestamp=row.timestamp,
            )
            for row in rows
        ]
