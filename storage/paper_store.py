"""The paper exchange's books in the database (tables paper_*), in transactions of their own: a spot account's
balances and orders; a futures account's wallet (its balances) and orders, with its perpetuals (settings and
positions) and its events beside them, in the same transaction."""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

from sqlalchemy import (
    Row,
    String,
    and_,
    bindparam,
    func,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.futures_models import PaperFuturesEventRow, PaperPerpetualRow
from storage.models import one_of, table_of
from storage.signal_models import PaperBalanceRow, PaperOrderRow, PaperTradeRow
from storage.transaction import Transaction
from trading.domain.enums import LIVE_STATUSES, OrderStatus, OrderType, Side
from trading.domain.futures import FundingPayment, MarginMode, PositionSide
from trading.domain.futures_events import FuturesEvent, Liquidated
from trading.domain.ledger import ZERO
from trading.domain.orders import ExchangeTrade
from trading.domain.perpetual_positions import PerpetualPosition
from trading.exchanges.paper.store import PaperOrder, PerpetualTerms

_OPEN = tuple(status.value for status in LIVE_STATUSES)
_FIELDS = [
    "account_id",
    "reduce_only",
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
# A writer's lock on one account's paper books, taken before it reads them: two fills of one user at once must
# not both see a coin missing and both insert its row. Row locks cannot do it (there is no row yet, and a
# statement that waited for one still reads from the snapshot it began with), so PostgreSQL takes a transaction
# advisory lock in a statement of its own; the reads after it see what the one before committed. The first key
# names these books among the app's advisory locks; on SQLite, BEGIN IMMEDIATE already serialises writers.
_PAPER_BOOKS = 0x70617072
_LOCK_BOOKS = select(func.pg_advisory_xact_lock(_PAPER_BOOKS, bindparam("account_id")))
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
# What a balance check reads, the balances and the open orders, in one round trip: an order's row, and a
# balance's (its asset and total) padded to an order's width, told apart by `part`.
_BALANCES_AND_OPEN_ORDERS = union_all(
    select(
        literal("balance", String).label("part"),
        _BALANCES.c.asset,
        _BALANCES.c.total,
        *(type_coerce(null(), column.type).label(column.name) for column in _ORDERS.c),
    ).where(_BALANCES.c.account_id == bindparam("account_id")),
    select(literal("order", String), type_coerce(null(), String), null(), *_ORDERS.c).where(_IS_OPEN),
).order_by(literal_column("part"), literal_column("id"))
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
        # A session that only looks reads the open orders with the balances, for the open_orders that follows.
        self._open_orders: tuple[int, Sequence[PaperOrder]] | None = None
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._tx.close()  # rolls back what was not committed, before the connection goes back

    async def balances(self, account_id: int) -> dict[str, Decimal]:
        if self._read_only:
            rows = (await self._tx.execute(_BALANCES_AND_OPEN_ORDERS, {"account_id": account_id})).all()
            self._open_orders = account_id, [_order(row) for row in rows if row.part == "order"]
            return {row.asset: row.total for row in rows if row.part == "balance"}
        return dict(await self._read(account_id))

    async def _read(self, account_id: int) -> dict[str, Decimal]:
        if not self._read_only and self._tx.dialect == "postgresql":
            await self._tx.execute(_LOCK_BOOKS, {"account_id": account_id})
        rows = await self._tx.execute(_BALANCES_OF, {"account_id": account_id})
        self._stored = {row.asset: row.total for row in rows}
        return self._stored

    async def set_balances(self, account_id: int, balances: Mapping[str, Decimal]) -> None:
        stored = self._stored if self._stored is not None else await self._read(account_id)
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
        if with_order is None and self._open_orders is not None and self._open_orders[0] == account_id:
            return self._open_orders[1]
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


_PERPETUALS = table_of(PaperPerpetualRow)
_EVENTS = table_of(PaperFuturesEventRow)
_PERPETUALS_OF = select(_PERPETUALS).where(_PERPETUALS.c.account_id == bindparam("account_id"))
_INSERT_PERPETUAL = insert(_PERPETUALS)
_UPDATE_PERPETUAL = update(_PERPETUALS).where(
    _PERPETUALS.c.account_id == bindparam("b_account_id"), _PERPETUALS.c.symbol == bindparam("b_symbol")
)
_INSERT_EVENT = insert(_EVENTS)
_EVENTS_OF = select(_EVENTS).where(_EVENTS.c.account_id == bindparam("account_id")).order_by(_EVENTS.c.id)
_EVENTS_SINCE = _EVENTS_OF.where(_EVENTS.c.at >= bindparam("since"))
FUNDING, LIQUIDATION = "funding", "liquidation"

# A symbol's row as stored: its settings and its position's side, size, cost and isolated margin.
_Row = tuple[PerpetualTerms, str | None, Decimal, Decimal, Decimal]


def _stored(row: Row[Any]) -> _Row:
    terms = PerpetualTerms(row.leverage, MarginMode(row.margin_mode), row.funded_until)
    return terms, row.side, row.size, row.cost, row.isolated_margin


def _row(terms: PerpetualTerms, position: PerpetualPosition | None) -> _Row:
    if position is None:
        return terms, None, ZERO, ZERO, ZERO
    return terms, position.side.value, position.size, position.cost, position.isolated_margin


def _row_values(row: _Row) -> dict[str, object]:
    terms, side, size, cost, margin = row
    return {
        "leverage": terms.leverage,
        "margin_mode": terms.margin_mode.value,
        "funded_until": terms.funded_until,
        "side": side,
        "size": size,
        "cost": cost,
        "isolated_margin": margin,
    }


def _event(row: Row[Any]) -> FuturesEvent:
    if row.kind == FUNDING:
        return FuturesEvent(f"PF{row.id}", FundingPayment(row.symbol, row.rate, row.amount, row.at))
    detail = Liquidated(row.symbol, PositionSide(row.side), row.size, row.price, row.amount, row.fee, row.at)
    return FuturesEvent(f"PF{row.id}", detail)


def _event_values(account_id: int, event: FuturesEvent) -> dict[str, object]:
    detail = event.detail
    values: dict[str, object] = {"account_id": account_id, "symbol": detail.symbol, "at": detail.timestamp}
    values.update(rate=None, side=None, size=None, price=None, fee=None)
    if isinstance(detail, FundingPayment):
        values.update(kind=FUNDING, rate=detail.rate, amount=detail.amount)
    elif isinstance(detail, Liquidated):
        values.update(kind=LIQUIDATION, amount=detail.realised_pnl, side=detail.side.value)
        values.update(size=detail.size, price=detail.mark_price, fee=detail.clearance_fee)
    else:  # the paper venue reckons its liquidations itself
        raise ValueError(f"A paper venue's event is a funding or a reckoned liquidation, not {detail}.")
    return values


class SqlPaperFuturesSession(SqlPaperSession):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        # The perpetuals as stored, once read: set_perpetuals writes only what differs.
        self._perpetuals: dict[str, _Row] | None = None
        return self

    async def perpetuals(
        self, account_id: int
    ) -> tuple[dict[str, PerpetualTerms], dict[str, PerpetualPosition]]:
        rows = await self._read_perpetuals(account_id)
        positions = {
            symbol: PerpetualPosition(
                symbol, PositionSide(side), size, cost, t.leverage, t.margin_mode, margin
            )
            for symbol, (t, side, size, cost, margin) in rows.items()
            if side is not None
        }
        return {symbol: stored[0] for symbol, stored in rows.items()}, positions

    async def _read_perpetuals(self, account_id: int) -> dict[str, _Row]:
        rows = await self._tx.execute(_PERPETUALS_OF, {"account_id": account_id})
        self._perpetuals = {row.symbol: _stored(row) for row in rows}
        return dict(self._perpetuals)

    async def set_perpetuals(
        self,
        account_id: int,
        terms: Mapping[str, PerpetualTerms],
        positions: Mapping[str, PerpetualPosition],
    ) -> None:
        if self._perpetuals is None:
            await self._read_perpetuals(account_id)
        assert self._perpetuals is not None
        stored = self._perpetuals
        changed, new = [], []
        for symbol in sorted(set(terms) | set(positions)):
            position = positions.get(symbol)
            symbol_terms = terms.get(symbol)
            if symbol_terms is None:
                assert position is not None
                symbol_terms = PerpetualTerms(position.leverage, position.margin_mode)
            row = _row(symbol_terms, position)
            if stored.get(symbol) == row:
                continue
            values = _row_values(row)
            if symbol in stored:
                changed.append({"b_account_id": account_id, "b_symbol": symbol, **values})
            else:
                new.append({"account_id": account_id, "symbol": symbol, **values})
            stored[symbol] = row
        if changed:
            await self._tx.execute(_UPDATE_PERPETUAL, changed)
        if new:
            await self._tx.execute(_INSERT_PERPETUAL, new)

    async def add_events(self, account_id: int, events: Sequence[FuturesEvent]) -> None:
        if events:
            await self._tx.execute(_INSERT_EVENT, [_event_values(account_id, event) for event in events])

    async def events_since(self, account_id: int, since: datetime | None) -> Sequence[FuturesEvent]:
        if since is None:
            rows = await self._tx.execute(_EVENTS_OF, {"account_id": account_id})
        else:
            rows = await self._tx.execute(_EVENTS_SINCE, {"account_id": account_id, "since": since})
        return [_event(row) for row in rows]


class SqlPaperStore:
    def __init__(self, engine: AsyncEngine, read_engine: AsyncEngine | None = None) -> None:
        self._engine = engine
        self._read_engine = read_engine or engine

    def session(self, *, read_only: bool = False) -> SqlPaperSession:
        return SqlPaperSession(self._read_engine if read_only else self._engine, read_only=read_only)

    def futures_session(self, *, read_only: bool = False) -> SqlPaperFuturesSession:
        return SqlPaperFuturesSession(self._read_engine if read_only else self._engine, read_only=read_only)
