"""The paper exchange's books in the database (tables paper_*), in transactions of their own."""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Executable, Row, and_, bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import one_of, table_of
from storage.signal_models import PaperBalanceRow, PaperOrderRow, PaperTradeRow
from storage.transaction import Transaction
from trading.domain.enums import LIVE_STATUSES, OrderStatus, OrderType, Side
from trading.domain.orders import ExchangeTrade
from trading.exchanges.paper.store import PaperOrder

_OPEN = tuple(status.value for status in LIVE_STATUSES)
_FIELDS = [
    "account_id",
    "client_order_id",
    "symbol",
    "quantity",
    "price",
    "filled",
    "fee",
    "last_step",
    "created_at",
]


def _order(row: Row[Any]) -> PaperOrder:
    return PaperOrder(
        id=row.id,
        side=Side(row.side),
        order_type=OrderType(row.order_type),
        status=OrderStatus(row.status),
        **{name: getattr(row, name) for name in _FIELDS},
    )


def _values(order: PaperOrder) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(order, name) for name in _FIELDS}
    values.update(side=order.side.value, order_type=order.order_type.value, status=order.status.value)
    return values


_BALANCES = table_of(PaperBalanceRow)
_ORDERS = table_of(PaperOrderRow)
_TRADES = table_of(PaperTradeRow)
_BALANCES_OF = select(_BALANCES.c.asset, _BALANCES.c.total).where(
    _BALANCES.c.account_id == bindparam("account_id")
)
_LOCK_BALANCES_OF = _BALANCES_OF.with_for_update()
_INSERT_BALANCE = insert(_BALANCES)
_UPDATE_BALANCE = update(_BALANCES).where(
    _BALANCES.c.account_id == bindparam("b_account_id"), _BALANCES.c.asset == bindparam("b_asset")
)
# Run on every paper order and balance check: the statuses are written into the statements.
_IS_OPEN = and_(_ORDERS.c.account_id == bindparam("account_id"), one_of(_ORDERS.c.status, _OPEN))
_OPEN_ORDERS = select(_ORDERS).where(_IS_OPEN).order_by(_ORDERS.c.id)
# The same with one order of any status: an order placed, fetched or cancelled reads both in one statement,
# each side of the OR on an index of its own.
_OPEN_ORDERS_WITH = (
    select(_ORDERS)
    .where(
        or_(
            _IS_OPEN,
            and_(
                _ORDERS.c.account_id == bindparam("account_id"),
                _ORDERS.c.client_order_id == bindparam("client_order_id"),
            ),
        )
    )
    .order_by(_ORDERS.c.id)
)
_INSERT_ORDER = insert(_ORDERS).returning(_ORDERS.c.id)
_UPDATE_ORDER = update(_ORDERS).where(_ORDERS.c.id == bindparam("order_id"))
_INSERT_TRADE = insert(_TRADES)
_TRADES_OF = select(_TRADES).where(_TRADES.c.paper_order_id == bindparam("order_id")).order_by(_TRADES.c.id)


class SqlPaperSession:
    """Statements built once on the Core tables: every paper order runs through here (storage.models.table_of)."""

    def __init__(self, engine: AsyncEngine, *, read_only: bool) -> None:
        self._engine = engine
        self._read_only = read_only

    async def __aenter__(self) -> Self:
        self._tx = Transaction(self._engine)
        # The balances as stored, once read: set_balances writes only what differs.
        self._stored: dict[str, Decimal] | None = None
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._tx.close()  # rolls back what was not committed, before the connection goes back

    async def balances(self, account_id: int) -> dict[str, Decimal]:
        return dict(await self._read(_BALANCES_OF if self._read_only else _LOCK_BALANCES_OF, account_id))

    async def _read(self, query: Executable, account_id: int) -> dict[str, Decimal]:
        rows = await self._tx.execute(query, {"account_id": account_id})
        self._stored = {row.asset: row.total for row in rows}
        return self._stored

    async def set_balances(self, account_id: int, balances: Mapping[str, Decimal]) -> None:
        stored = self._stored if self._stored is not None else await self._read(_BALANCES_OF, account_id)
        changed = [
            {"b_account_id": account_id, "b_asset": asset, "total": total}
            for asset, total in balances.items()
            if asset in stored and stored[asset] != total
        ]
        new = [
            {"account_id": account_id, "asset": asset, "total": total}
            for asset, total in balances.items()
            if asset not in stored
        ]
        if changed:
            await self._tx.execute(_UPDATE_BALANCE, changed)
        if new:
            await self._tx.execute(_INSERT_BALANCE, new)
        stored.update(balances)

    async def open_orders(self, account_id: int, *, with_order: str | None = None) -> Sequence[PaperOrder]:
        if with_order is None:
            rows = await self._tx.execute(_OPEN_ORDERS, {"account_id": account_id})
        else:
            params = {"account_id": account_id, "client_order_id": with_order}
            rows = await self._tx.execute(_OPEN_ORDERS_WITH, params)
        return [_order(row) for row in rows]

    async def add_order(self, order: PaperOrder) -> PaperOrder:
        order_id = (await self._tx.execute(_INSERT_ORDER, _values(order))).scalar_one()
        return replace(order, id=order_id)

    async def update_order(self, order: PaperOrder) -> None:
        result = await self._tx.execute(_UPDATE_ORDER, {"order_id": order.id, **_values(order)})
        if result.rowcount != 1:
            raise LookupError(f"paper order {order.id} vanished")

    async def add_trades(self, order_id: int, trades: Sequence[ExchangeTrade]) -> None:
        if trades:
            await self._tx.execute(
                _INSERT_TRADE,
                [
                    {
                        "paper_order_id": order_id,
                        "quantity": trade.quantity,
                        "price": trade.price,
                        "fee": trade.fee,
                        "fee_currency": trade.fee_currency,
                        "timestamp": trade.timestamp,
                    }
                    for trade in trades
                ],
            )

    async def trades(self, order_id: int) -> Sequence[ExchangeTrade]:
        rows = await self._tx.execute(_TRADES_OF, {"order_id": order_id})
        return [
            ExchangeTrade(
                f"{order_id}-{n}", row.quantity, row.price, row.fee, row.fee_currency, row.timestamp
            )
            for n, row in enumerate(rows, start=1)
        ]

    async def commit(self) -> None:
        await self._tx.commit()


class SqlPaperStore:
    def __init__(self, engine: AsyncEngine, read_engine: AsyncEngine | None = None) -> None:
        self._engine = engine
        self._read_engine = read_engine or engine

    def session(self, *, read_only: bool = False) -> SqlPaperSession:
        return SqlPaperSession(self._read_engine if read_only else self._engine, read_only=read_only)
