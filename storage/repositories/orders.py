"""Orders and fills: on the order path, so every statement is built once, on the Core tables, and run
with bound parameters (see storage.models.table_of)."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Executable, Row, and_, bindparam, case, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import FillRow, OrderRow, ProcessRow, one_of, table_of
from storage.repositories.drafts import CLAIM, draft_of
from storage.transaction import Transaction
from trading.domain.enums import DraftStatus, OrderRole, OrderStatus, OrderType, Side
from trading.domain.orders import Fill, Order, OrderDraft

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


def order_of(row: Row[Any]) -> Order:
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


ORDERS = table_of(OrderRow)
_INSERT_ORDER = insert(ORDERS).returning(ORDERS.c.id)
_ORDER = select(ORDERS).where(ORDERS.c.id == bindparam("order_id"))
_ORDER_BY_CLIENT_ID = select(ORDERS).where(ORDERS.c.client_order_id == bindparam("client_order_id"))
_SUBMITTED = OrderStatus.SUBMITTED.value
# The process that sends an order is the one that makes it SUBMITTED (`b_placer`); an order that already was
# keeps its sender, whoever writes it since.
_PLACED_BY = case((ORDERS.c.status == _SUBMITTED, ORDERS.c.placed_by), else_=bindparam("b_placer"))
# Sets the columns named in the parameters: every column of the order, in one statement of one shape.
_UPDATE_ORDER = update(ORDERS).where(ORDERS.c.id == bindparam("order_id")).values(placed_by=_PLACED_BY)
_TRANSITION = (
    update(ORDERS)
    .where(ORDERS.c.id == bindparam("order_id"), ORDERS.c.status == bindparam("from_status"))
    .values(status=bindparam("to_status"), placed_by=_PLACED_BY)
)
_PROCESSES = table_of(ProcessRow)
# SUBMITTED and sent by nobody now: written before the cut-off (older than any order in flight), or sent by a
# process that has gone silent (or is gone).
_UNATTENDED = (
    select(ORDERS)
    .outerjoin(_PROCESSES, _PROCESSES.c.id == ORDERS.c.placed_by)
    .where(
        ORDERS.c.status == _SUBMITTED,
        or_(
            ORDERS.c.updated_at <= bindparam("written_before"),
            and_(
                ORDERS.c.placed_by.is_not(None),
                or_(_PROCESSES.c.id.is_(None), _PROCESSES.c.beat_at < bindparam("silent_since")),
            ),
        ),
    )
    .order_by(ORDERS.c.id)
)
_REPRICE_ARMED = (
    update(ORDERS)
    .where(ORDERS.c.id == bindparam("order_id"), ORDERS.c.status == OrderStatus.ARMED.value)
    .values(price=bindparam("price"), updated_at=bindparam("now"))
)
_STATUS_IN = ORDERS.c.status.in_(bindparam("statuses", expanding=True))
_USERS_ORDERS = (
    select(ORDERS)
    .where(ORDERS.c.user_id == bindparam("user_id"))
    .order_by(ORDERS.c.id.desc())
    .limit(bindparam("limit"))
)
_USERS_ORDERS_IN = _USERS_ORDERS.where(_STATUS_IN)
_WITH_STATUS = select(ORDERS).where(_STATUS_IN).order_by(ORDERS.c.id)
_ACCOUNTS_ORDERS = (
    select(ORDERS).where(ORDERS.c.account_id == bindparam("account_id"), _STATUS_IN).order_by(ORDERS.c.id)
)
_ACCOUNTS_ORDERS_ON = _ACCOUNTS_ORDERS.where(ORDERS.c.symbol == bindparam("symbol"))
_CHILDREN = select(ORDERS).where(ORDERS.c.parent_id == bindparam("parent_id")).order_by(ORDERS.c.id)
_STOPS_ON = _ACCOUNTS_ORDERS_ON.where(ORDERS.c.role == OrderRole.STOP_LOSS.value)
_UNREPORTED_LEGS = (
    select(ORDERS)
    .where(
        one_of(ORDERS.c.role, [OrderRole.STOP_LOSS.value, OrderRole.TAKE_PROFIT.value]),
        ORDERS.c.reported_at.is_(None),
        one_of(ORDERS.c.status, [status.value for status in OrderStatus if status.is_final]),
    )
    .order_by(ORDERS.c.id)
    .limit(bindparam("limit"))
)
_MARK_REPORTED = (
    update(ORDERS)
    .where(ORDERS.c.id.in_(bindparam("order_ids", expanding=True)), ORDERS.c.reported_at.is_(None))
    .values(reported_at=bindparam("now"))
)
# A draft claimed and its order written in one statement where a CTE may modify data (PostgreSQL): the order
# made of the claimed row as OrderDraft.order makes it, none for a draft that replaces an order; the draft's
# row comes back with the new order's id beside it (NULL where none was made).
_CLAIMED = CLAIM.cte("claimed")
_CLOSES = _CLAIMED.c.preview[("futures", "reduce_only")].as_boolean()
_MADE_OF_CLAIMED = {
    "user_id": _CLAIMED.c.user_id,
    "account_id": _CLAIMED.c.account_id,
    "client_order_id": bindparam("client_order_id", type_=ORDERS.c.client_order_id.type),
    "draft_id": _CLAIMED.c.id,
    "role": case((_CLOSES, OrderRole.CLOSE.value), else_=OrderRole.ENTRY.value),
    "symbol": _CLAIMED.c.symbol,
    "side": _CLAIMED.c.side,
    "order_type": _CLAIMED.c.order_type,
    "quantity": _CLAIMED.c.quantity,
    "price": _CLAIMED.c.price,
    "status": literal(_SUBMITTED, ORDERS.c.status.type),
    "created_at": bindparam("b_now", type_=ORDERS.c.created_at.type),
    "updated_at": bindparam("b_now", type_=ORDERS.c.updated_at.type),
    "placed_by": bindparam("b_placer", type_=ORDERS.c.placed_by.type),
}
_MADE = (
    insert(ORDERS)
    .from_select(
        list(_MADE_OF_CLAIMED),
        select(*_MADE_OF_CLAIMED.values()).where(_CLAIMED.c.replaces_order_id.is_(None)),
    )
    .returning(ORDERS.c.id, ORDERS.c.draft_id)
    .cte("made")
)
_CLAIM_AND_ADD = select(*_CLAIMED.c, _MADE.c.id.label("order_id")).select_from(
    _CLAIMED.outerjoin(_MADE, _MADE.c.draft_id == _CLAIMED.c.id)
)
_COUNT_FOR_USER = select(func.count()).select_from(ORDERS).where(ORDERS.c.user_id == bindparam("user_id"))


def _statuses(statuses: Sequence[OrderStatus]) -> list[str]:
    return [status.value for status in statuses]


class SqlOrderRepository:
    def __init__(self, transaction: Transaction, placer: str | None = None) -> None:
        """`placer`: this process's id (storage.liveness), written on the orders it makes SUBMITTED; None for a
        process that does not beat, whose orders wait out the longest flight before they are looked up."""
        self._tx = transaction
        self._placer = placer

    async def _orders(self, statement: Executable, params: dict[str, object]) -> list[Order]:
        return [order_of(row) for row in await self._tx.execute(statement, params)]

    async def add(self, order: Order) -> Order:
        placed_by = self._placer if order.status is OrderStatus.SUBMITTED else None
        values = {**_order_values(order), "placed_by": placed_by}
        order_id = (await self._tx.execute(_INSERT_ORDER, values)).scalar_one()
        return replace(order, id=order_id)

    async def add_claimed(
        self, draft_id: str, user_id: int, now: datetime, client_order_id: str
    ) -> tuple[OrderDraft, Order | None] | None:
        params = {
            "draft_id": draft_id,
            "b_user_id": user_id,
            "to_status": DraftStatus.SUBMITTED.value,
            "now": now,
        }
        if self._tx.dialect == "postgresql":
            made = {"client_order_id": client_order_id, "b_now": now, "b_placer": self._placer}
            row = (await self._tx.execute(_CLAIM_AND_ADD, {**params, **made})).one_or_none()
            if row is None:
                return None
            draft = draft_of(row)
            if row.order_id is None:
                return draft, None
            return draft, replace(draft.order(client_order_id, now), id=row.order_id)
        # Two statements elsewhere: SQLite has no data-modifying CTE.
        row = (await self._tx.execute(CLAIM, params)).one_or_none()
        if row is None:
            return None
        draft = draft_of(row)
        if draft.replaces_order_id is not None:
            return draft, None
        return draft, await self.add(draft.order(client_order_id, now))

    async def get(self, order_id: int) -> Order | None:
        found = await self._orders(_ORDER, {"order_id": order_id})
        return found[0] if found else None

    async def by_client_id(self, client_order_id: str) -> Order | None:
        found = await self._orders(_ORDER_BY_CLIENT_ID, {"client_order_id": client_order_id})
        return found[0] if found else None

    async def update(self, order: Order) -> None:
        params = {"order_id": order.id, "b_placer": self._placer, **_order_values(order)}
        result = await self._tx.execute(_UPDATE_ORDER, params)
        if result.rowcount != 1:
            raise LookupError(f"order {order.id} vanished")

    async def transition(self, order_id: int, from_status: OrderStatus, to_status: OrderStatus) -> bool:
        params = {
            "order_id": order_id,
            "from_status": from_status.value,
            "to_status": to_status.value,
            "b_placer": self._placer,
        }
        return (await self._tx.execute(_TRANSITION, params)).rowcount == 1

    async def unattended(self, written_before: datetime, silent_since: datetime) -> Sequence[Order]:
        params: dict[str, object] = {"written_before": written_before, "silent_since": silent_since}
        return await self._orders(_UNATTENDED, params)

    async def reprice_armed(self, order_id: int, price: Decimal, now: datetime) -> bool:
        params = {"order_id": order_id, "price": price, "now": now}
        return (await self._tx.execute(_REPRICE_ARMED, params)).rowcount == 1

    async def for_user(
        self, user_id: int, statuses: Sequence[OrderStatus] | None = None, limit: int = 100
    ) -> Sequence[Order]:
        if statuses is None:
            return await self._orders(_USERS_ORDERS, {"user_id": user_id, "limit": limit})
        params = {"user_id": user_id, "limit": limit, "statuses": _statuses(statuses)}
        return await self._orders(_USERS_ORDERS_IN, params)

    async def with_status(self, statuses: Sequence[OrderStatus]) -> Sequence[Order]:
        return await self._orders(_WITH_STATUS, {"statuses": _statuses(statuses)})

    async def for_account(
        self, account_id: int, statuses: Sequence[OrderStatus], symbol: str | None = None
    ) -> Sequence[Order]:
        params: dict[str, object] = {"account_id": account_id, "statuses": _statuses(statuses)}
        if symbol is None:
            return await self._orders(_ACCOUNTS_ORDERS, params)
        return await self._orders(_ACCOUNTS_ORDERS_ON, {**params, "symbol": symbol})

    async def children(self, parent_id: int) -> Sequence[Order]:
        return await self._orders(_CHILDREN, {"parent_id": parent_id})

    async def resting_stops(self, account_id: int, symbol: str) -> Sequence[Order]:
        params = {"account_id": account_id, "symbol": symbol, "statuses": [OrderStatus.OPEN.value]}
        return await self._orders(_STOPS_ON, params)

    async def unreported_legs(self, limit: int) -> Sequence[Order]:
        return await self._orders(_UNREPORTED_LEGS, {"limit": limit})

    async def mark_reported(self, order_ids: Sequence[int], now: datetime) -> int:
        if not order_ids:
            return 0
        result = await self._tx.execute(_MARK_REPORTED, {"order_ids": list(order_ids), "now": now})
        return int(result.rowcount)

    async def count_for_user(self, user_id: int) -> int:
        count = (await self._tx.execute(_COUNT_FOR_USER, {"user_id": user_id})).scalar_one()
        return int(count or 0)


_FILLS = table_of(FillRow)
_INSERT_FILL = {
    "postgresql": postgresql.insert(_FILLS).on_conflict_do_nothing(index_elements=["order_id", "trade_id"]),
    "sqlite": sqlite.insert(_FILLS).on_conflict_do_nothing(index_elements=["order_id", "trade_id"]),
}
_FILLS_OF_ORDER = select(_FILLS).where(_FILLS.c.order_id == bindparam("order_id")).order_by(_FILLS.c.id)


class SqlFillRepository:
    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction

    async def add(self, fill: Fill) -> bool:
        """False for a trade already booked on the order: each is booked once, whoever reports it again."""
        result = await self._tx.execute(
            _INSERT_FILL[self._tx.dialect],
            {
                "order_id": fill.order_id,
                "trade_id": fill.trade_id,
                "quantity": fill.quantity,
                "price": fill.price,
                "fee": fill.fee,
                "fee_currency": fill.fee_currency,
                "timestamp": fill.timestamp,
            },
        )
        return result.rowcount == 1

    async def for_order(self, order_id: int) -> Sequence[Fill]:
        rows = await self._tx.execute(_FILLS_OF_ORDER, {"order_id": order_id})
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
