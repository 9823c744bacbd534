from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, insert, select, update

from storage.models import (
    BalanceRow,
    EquitySnapshotRow,
    ExchangeAccountRow,
    PnlDayRow,
    PositionRow,
    table_of,
)
from storage.transaction import Transaction
from trading.domain.ledger import ZERO, Ledger, Position

_BALANCES = table_of(BalanceRow)
_POSITIONS = table_of(PositionRow)
_PNL_DAYS = table_of(PnlDayRow)
_EQUITY = table_of(EquitySnapshotRow)
_ACCOUNTS = table_of(ExchangeAccountRow)

_LOCK_ACCOUNT = select(_ACCOUNTS.c.id).where(_ACCOUNTS.c.id == bindparam("account_id")).with_for_update()
_BALANCES_OF = select(_BALANCES).where(_BALANCES.c.account_id == bindparam("account_id"))
_POSITIONS_OF = select(_POSITIONS).where(_POSITIONS.c.account_id == bindparam("account_id"))
_INSERT_BALANCE = insert(_BALANCES)
_UPDATE_BALANCE = update(_BALANCES).where(
    _BALANCES.c.account_id == bindparam("b_account_id"), _BALANCES.c.asset == bindparam("b_asset")
)
_INSERT_POSITION = insert(_POSITIONS)
_UPDATE_POSITION = update(_POSITIONS).where(
    _POSITIONS.c.account_id == bindparam("b_account_id"), _POSITIONS.c.symbol == bindparam("b_symbol")
)
_PNL_DAY = select(_PNL_DAYS.c.realised).where(
    _PNL_DAYS.c.account_id == bindparam("account_id"), _PNL_DAYS.c.day == bindparam("day")
)
_INSERT_PNL_DAY = insert(_PNL_DAYS)
_UPDATE_PNL_DAY = update(_PNL_DAYS).where(
    _PNL_DAYS.c.account_id == bindparam("b_account_id"), _PNL_DAYS.c.day == bindparam("b_day")
)
_PNL_SINCE = (
    select(_PNL_DAYS.c.day, _PNL_DAYS.c.realised)
    .where(_PNL_DAYS.c.account_id == bindparam("account_id"), _PNL_DAYS.c.day >= bindparam("since"))
    .order_by(_PNL_DAYS.c.day)
)
_INSERT_EQUITY = insert(_EQUITY)
_EQUITY_SINCE = (
    select(_EQUITY.c.at, _EQUITY.c.equity)
    .where(_EQUITY.c.account_id == bindparam("account_id"), _EQUITY.c.at >= bindparam("since"))
    .order_by(_EQUITY.c.at)
)

# An asset's book (total, deposited, fees paid, realised) and a position's (quantity, cost, realised).
_Book = tuple[Decimal, Decimal, Decimal, Decimal]
_Held = tuple[Decimal, Decimal, Decimal]


def _ledger(books: dict[str, _Book], held: dict[str, _Held]) -> Ledger:
    return Ledger(
        balances={asset: book[0] for asset, book in books.items()},
        positions={
            symbol: Position(symbol, quantity, cost, realised)
            for symbol, (quantity, cost, realised) in held.items()
        },
        deposits={asset: book[1] for asset, book in books.items() if book[1]},
        fees_paid={asset: book[2] for asset, book in books.items() if book[2]},
        realised_pnl={asset: book[3] for asset, book in books.items() if book[3]},
    )


class SqlLedgerRepository:
    """Statements built once on the Core tables (see storage.models.table_of); `save` writes only the rows
    that changed since they were read in this transaction."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction
        self._stored: dict[int, tuple[dict[str, _Book], dict[str, _Held]]] = {}

    async def load(self, account_id: int, *, for_update: bool = False) -> Ledger:
        if for_update and self._tx.dialect != "sqlite":
            # A row lock on the account; on SQLite, BEGIN IMMEDIATE already serialises writers.
            await self._tx.execute(_LOCK_ACCOUNT, {"account_id": account_id})
        return _ledger(*await self._rows(account_id))

    async def save(self, account_id: int, ledger: Ledger) -> None:
        """Write what changed since this transaction read the account: changed rows updated, new ones added."""
        books, held = await self._rows(account_id)
        assets = (
            set(ledger.balances) | set(ledger.fees_paid) | set(ledger.deposits) | set(ledger.realised_pnl)
        )
        new_books, changed_books = [], []
        for asset in sorted(assets):
            book = (
                ledger.balances.get(asset, ZERO),
                ledger.deposits.get(asset, ZERO),
                ledger.fees_paid.get(asset, ZERO),
                ledger.realised_pnl.get(asset, ZERO),
            )
            if books.get(asset) == book:
                continue
            values = dict(zip(("total", "deposited", "fees_paid", "realised_pnl"), book, strict=True))
            if asset in books:
                changed_books.append({"b_account_id": account_id, "b_asset": asset, **values})
            else:
                new_books.append({"account_id": account_id, "asset": asset, **values})
            books[asset] = book
        new_held, changed_held = [], []
        for position in ledger.positions.values():
            stored = (position.quantity, position.cost, position.realised_pnl)
            if held.get(position.symbol) == stored:
                continue
            values = dict(zip(("quantity", "cost", "realised_pnl"), stored, strict=True))
            if position.symbol in held:
                changed_held.append({"b_account_id": account_id, "b_symbol": position.symbol, **values})
            else:
                new_held.append({"account_id": account_id, "symbol": position.symbol, **values})
            held[position.symbol] = stored
        for statement, rows in (
            (_UPDATE_BALANCE, changed_books),
            (_INSERT_BALANCE, new_books),
            (_UPDATE_POSITION, changed_held),
            (_INSERT_POSITION, new_held),
        ):
            if rows:
                await self._tx.execute(statement, rows)

    async def _rows(self, account_id: int) -> tuple[dict[str, _Book], dict[str, _Held]]:
        """The account's rows as stored, read once a transaction and kept in step with what `save` writes."""
        stored = self._stored.get(account_id)
        if stored is None:
            params = {"account_id": account_id}
            balances = await self._tx.execute(_BALANCES_OF, params)
            books = {
                row.asset: (row.total, row.deposited, row.fees_paid, row.realised_pnl) for row in balances
            }
            positions = await self._tx.execute(_POSITIONS_OF, params)
            held = {row.symbol: (row.quantity, row.cost, row.realised_pnl) for row in positions}
            stored = self._stored[account_id] = (books, held)
        return stored

    async def record_pnl(self, account_id: int, day: date, realised: Decimal) -> None:
        # Read and add in Python: SQLite would add the text column as floats.
        so_far = await self._tx.scalar(_PNL_DAY, {"account_id": account_id, "day": day})
        if so_far is None:
            values = {"account_id": account_id, "day": day, "realised": realised}
            await self._tx.execute(_INSERT_PNL_DAY, values)
        else:
            values = {"b_account_id": account_id, "b_day": day, "realised": so_far + realised}
            await self._tx.execute(_UPDATE_PNL_DAY, values)

    async def pnl_by_day(self, account_id: int, since: date) -> Mapping[date, Decimal]:
        rows = await self._tx.execute(_PNL_SINCE, {"account_id": account_id, "since": since})
        return {row.day: row.realised for row in rows}

    async def record_equity(self, account_id: int, at: datetime, equity: Decimal) -> None:
        await self._tx.execute(_INSERT_EQUITY, {"account_id": account_id, "at": at, "equity": equity})

    async def equity_history(self, account_id: int, since: datetime) -> Sequence[tuple[datetime, Decimal]]:
        rows = await self._tx.execute(_EQUITY_SINCE, {"account_id": account_id, "since": since})
        return [(row.at, row.equity) for row in rows]
