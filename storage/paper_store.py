"""The paper exchange's books in the database (tables paper_*), in transactions of their own."""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import Self

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.signal_models import PaperBalanceRow, PaperOrderRow, PaperTradeRow
from trading.domain.enums import OrderStatus, OrderType, Side
from trading.domain.orders import ExchangeTrade
from trading.exchanges.paper.store import PaperOrder

_OPEN = (OrderStatus.OPEN.value, OrderStatus.PARTIALLY_FILLED.value)
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


def _order(row: PaperOrderRow) -> PaperOrder:
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


class SqlPaperSession:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, read_only: bool) -> None:
        self._sessions = sessions
        self._read_only = read_only

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self._balance_rows: dict[str, PaperBalanceRow] | None = None
        self._rows: dict[int, PaperOrderRow] = {}
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self._session.rollback()
        finally:
            await self._session.close()

    async def balances(self, account_id: int) -> dict[str, Decimal]:
        query = select(PaperBalanceRow).where(PaperBalanceRow.account_id == account_id)
        rows = await self._session.scalars(query if self._read_only else query.with_for_update())
        self._balance_rows = {row.asset: row for row in rows}
        return {asset: row.total for asset, row in self._balance_rows.items()}

    async def set_balances(self, account_id: int, balances: Mapping[str, Decimal]) -> None:
        rows = self._balance_rows if self._balance_rows is not None else await self._rows_of(account_id)
        for asset, total in balances.items():
            row = rows.get(asset)
            if row is None:
                row = rows[asset] = PaperBalanceRow(account_id=account_id, asset=asset, total=total)
                self._session.add(row)
            elif row.total != total:
                row.total = total

    async def _rows_of(self, account_id: int) -> dict[str, PaperBalanceRow]:
        rows = await self._session.scalars(
            select(PaperBalanceRow).where(PaperBalanceRow.account_id == account_id)
        )
        return {row.asset: row for row in rows}

    async def open_orders(self, account_id: int) -> Sequence[PaperOrder]:
        rows = await self._session.scalars(
            select(PaperOrderRow)
            .where(PaperOrderRow.account_id == account_id, PaperOrderRow.status.in_(_OPEN))
            .order_by(PaperOrderRow.id)
        )
        return [self._held(row) for row in rows]

    async def order(self, account_id: int, client_order_id: str) -> PaperOrder | None:
        row = await self._session.scalar(
            select(PaperOrderRow).where(
                PaperOrderRow.account_id == account_id, PaperOrderRow.client_order_id == client_order_id
            )
        )
        return self._held(row) if row else None

    async def add_order(self, order: PaperOrder) -> PaperOrder:
        row = PaperOrderRow(**_values(order))
        self._session.add(row)
        await self._session.flush()
        return self._held(row)

    async def update_order(self, order: PaperOrder) -> None:
        # A row read in this transaction is changed in place: no SELECT, and only changed columns are written.
        row = self._rows.get(order.id) or await self._session.get(PaperOrderRow, order.id)
        if row is None:
            raise LookupError(f"paper order {order.id} vanished")
        for name, value in _values(order).items():
            setattr(row, name, value)

    def _held(self, row: PaperOrderRow) -> PaperOrder:
        """The session keeps rows only weakly: hold the ones read, so that updating them needs no SELECT."""
        self._rows[row.id] = row
        return _order(row)

    async def add_trade(self, order_id: int, trade: ExchangeTrade) -> None:
        self._session.add(
            PaperTradeRow(
                paper_order_id=order_id,
                quantity=trade.quantity,
                price=trade.price,
                fee=trade.fee,
                fee_currency=trade.fee_currency,
                timestamp=trade.timestamp,
            )
        )

    async def trades(self, order_id: int) -> Sequence[ExchangeTrade]:
        rows = await self._session.scalars(
            select(PaperTradeRow).where(PaperTradeRow.paper_order_id == order_id).order_by(PaperTradeRow.id)
        )
        return [
            ExchangeTrade(
                f"{order_id}-{n}", row.quantity, row.price, row.fee, row.fee_currency, row.timestamp
            )
            for n, row in enumerate(rows, start=1)
        ]

    async def commit(self) -> None:
        await self._session.commit()


class SqlPaperStore:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        read_sessions: async_sessionmaker[AsyncSession] | None = None,
    ) -> None:
        self._sessions = sessions
        self._read_sessions = read_sessions or sessions

    def session(self, *, read_only: bool = False) -> SqlPaperSession:
        return SqlPaperSession(self._read_sessions if read_only else self._sessions, read_only=read_only)
