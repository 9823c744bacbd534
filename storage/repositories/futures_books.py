"""The core's book of a futures account: its wallet per settle currency in balances (total: the wallet), its
open positions in futures_positions, and the venue's events it booked in futures_events. Statements are built
once on the Core tables (storage.models.table_of): a futures order reads and writes the book."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import String, bindparam, func, literal, null, select, type_coerce, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.futures_models import FuturesEventRow, FuturesPositionRow
from storage.models import BalanceRow, table_of
from storage.repositories.account_rows import AccountRows, lock_account
from storage.transaction import Transaction
from trading.domain.futures import FundingPayment, MarginMode, PositionSide
from trading.domain.futures_events import FuturesEvent
from trading.domain.futures_ledger import FuturesBook
from trading.domain.ledger import ZERO
from trading.domain.perpetual_positions import PerpetualPosition

_POSITIONS = table_of(FuturesPositionRow)
_EVENTS = table_of(FuturesEventRow)
_LAST_EVENT_AT = select(func.max(_EVENTS.c.at)).where(_EVENTS.c.account_id == bindparam("account_id"))
_BOOKED_SINCE = select(_EVENTS.c.event_id).where(
    _EVENTS.c.account_id == bindparam("account_id"), _EVENTS.c.at >= bindparam("since")
)
_HOLDING = select(_POSITIONS.c.account_id).distinct().order_by(_POSITIONS.c.account_id)

# A currency's book (wallet, deposited, fees, realised, funding) and a position's row.
_Book = tuple[Decimal, Decimal, Decimal, Decimal, Decimal]
_Held = tuple[str, Decimal, Decimal, Decimal, str, Decimal]
_BALANCES = table_of(BalanceRow)
_BOOKS: AccountRows[_Book] = AccountRows(
    _BALANCES, "asset", ("total", "deposited", "fees_paid", "realised_pnl", "funding_paid")
)
_HELD: AccountRows[_Held] = AccountRows(
    _POSITIONS, "symbol", ("side", "size", "cost", "leverage", "margin_mode", "isolated_margin")
)
# Both halves of a book in one round trip, told apart by `part`: a currency's row and a position's, each padded
# to the other's width, the position's two text columns first.
_BOOK_ROWS = union_all(
    select(
        literal("book", String).label("part"),
        _BALANCES.c.asset.label("key"),
        type_coerce(null(), String),
        type_coerce(null(), String),
        *(_BALANCES.c[column] for column in _BOOKS.columns),
    ).where(_BALANCES.c.account_id == bindparam("account_id")),
    select(
        literal("held", String),
        _POSITIONS.c.symbol,
        _POSITIONS.c.side,
        _POSITIONS.c.margin_mode,
        *(_POSITIONS.c[column] for column in ("size", "cost", "leverage", "isolated_margin")),
        type_coerce(null(), _POSITIONS.c.size.type),
    ).where(_POSITIONS.c.account_id == bindparam("account_id")),
)


def _book(books: Mapping[str, _Book], held: Mapping[str, _Held]) -> FuturesBook:
    def column(index: int) -> dict[str, Decimal]:
        return {currency: book[index] for currency, book in books.items() if book[index]}

    return FuturesBook(
        wallets={currency: book[0] for currency, book in books.items()},
        positions={
            symbol: PerpetualPosition(
                symbol, PositionSide(side), size, cost, leverage, MarginMode(mode), isolated_margin
            )
            for symbol, (side, size, cost, leverage, mode, isolated_margin) in held.items()
        },
        deposits=column(1),
        fees_paid=column(2),
        realised_pnl=column(3),
        funding_paid=column(4),
    )


def _held(position: PerpetualPosition) -> _Held:
    return (
        position.side.value,
        position.size,
        position.cost,
        position.leverage,
        position.margin_mode.value,
        position.isolated_margin,
    )


class SqlFuturesBookRepository:
    """`save` writes only the rows that changed since they were read in this transaction."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction
        self._stored: dict[int, tuple[dict[str, _Book], dict[str, _Held]]] = {}

    async def load(self, account_id: int, *, for_update: bool = False) -> FuturesBook:
        if for_update:
            await lock_account(self._tx, account_id)
        return _book(*await self._rows(account_id))

    async def save(self, account_id: int, book: FuturesBook) -> None:
        books, held = await self._rows(account_id)
        currencies = set(book.wallets) | set(book.deposits) | set(book.fees_paid)
        currencies |= set(book.realised_pnl) | set(book.funding_paid)
        wanted_books = {
            currency: (
                book.wallets.get(currency, ZERO),
                book.deposits.get(currency, ZERO),
                book.fees_paid.get(currency, ZERO),
                book.realised_pnl.get(currency, ZERO),
                book.funding_paid.get(currency, ZERO),
            )
            for currency in currencies
        }
        wanted_held = {symbol: _held(position) for symbol, position in book.positions.items()}
        await _BOOKS.write(self._tx, account_id, books, wanted_books)
        await _HELD.write(self._tx, account_id, held, wanted_held, remove_missing=True)

    async def _rows(self, account_id: int) -> tuple[dict[str, _Book], dict[str, _Held]]:
        stored = self._stored.get(account_id)
        if stored is None:
            books: dict[str, _Book] = {}
            held: dict[str, _Held] = {}
            rows: Sequence[Sequence[Any]] = (
                await self._tx.execute(_BOOK_ROWS, {"account_id": account_id})
            ).all()
            for part, key, side, mode, first, second, third, fourth, fifth in rows:
                if part == "book":
                    books[key] = (first, second, third, fourth, fifth)
                else:
                    held[key] = (side, first, second, third, mode, fourth)
            stored = self._stored[account_id] = (books, held)
        return stored

    async def add_event(self, account_id: int, event: FuturesEvent, amount: Decimal) -> bool:
        """Record an event booked (`amount`: what the account paid by it); False where it was booked already."""
        insert_ = pg_insert if self._tx.dialect == "postgresql" else sqlite_insert
        kind = "funding" if isinstance(event.detail, FundingPayment) else "liquidation"
        statement = (
            insert_(FuturesEventRow)
            .values(
                account_id=account_id,
                event_id=event.event_id,
                kind=kind,
                symbol=event.symbol,
                amount=amount,
                at=event.timestamp,
            )
            .on_conflict_do_nothing(index_elements=["account_id", "event_id"])
        )
        return bool((await self._tx.execute(statement)).rowcount)

    async def last_event_at(self, account_id: int) -> datetime | None:
        at: datetime | None = await self._tx.scalar(_LAST_EVENT_AT, {"account_id": account_id})
        return at

    async def booked_since(self, account_id: int, since: datetime) -> set[str]:
        rows = await self._tx.execute(_BOOKED_SINCE, {"account_id": account_id, "since": since})
        return {row.event_id for row in rows}

    async def holding(self) -> Sequence[int]:
        """The futures accounts with an open position in the core's books."""
        return [row.account_id for row in await self._tx.execute(_HOLDING)]
