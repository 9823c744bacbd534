from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Select,
    String,
    Table,
    bindparam,
    insert,
    literal,
    null,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql

from storage.access_models import RiskSettingsRow
from storage.models import (
    BalanceRow,
    EquitySnapshotRow,
    ExchangeAccountRow,
    PnlDayRow,
    PositionRow,
    table_of,
)
from storage.repositories.account_rows import AccountRows, lock_account
from storage.repositories.risk_settings import LIMIT_COLUMNS, overrides_of
from storage.repositories.users import account_from
from storage.transaction import Transaction
from trading.domain.accounts import ExchangeAccount
from trading.domain.ledger import ZERO, Ledger, Position
from trading.domain.risk import RiskOverrides
from trading.ports.repositories import AccountBooks

_PNL_DAYS = table_of(PnlDayRow)
_EQUITY = table_of(EquitySnapshotRow)
_PNL_DAY = select(_PNL_DAYS.c.realised).where(
    _PNL_DAYS.c.account_id == bindparam("account_id"), _PNL_DAYS.c.day == bindparam("day")
)
_INSERT_PNL_DAY = insert(_PNL_DAYS)
_ADD_PNL_DAY = postgresql.insert(_PNL_DAYS)
_ADD_PNL_DAY = _ADD_PNL_DAY.on_conflict_do_update(
    index_elements=["account_id", "day"],
    set_={"realised": _PNL_DAYS.c.realised + _ADD_PNL_DAY.excluded.realised},
)
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
_BALANCES, _POSITIONS = table_of(BalanceRow), table_of(PositionRow)
_BOOKS: AccountRows[_Book] = AccountRows(
    _BALANCES, "asset", ("total", "deposited", "fees_paid", "realised_pnl")
)
_HELD: AccountRows[_Held] = AccountRows(_POSITIONS, "symbol", ("quantity", "cost", "realised_pnl"))
# Both halves of a ledger in one round trip, told apart by `part`: a position's row is padded to a book's width.
_BOOK_PART = select(
    literal("book", String).label("part"),
    _BALANCES.c.asset.label("key"),
    *(_BALANCES.c[column] for column in _BOOKS.columns),
)
_HELD_PART = select(
    literal("held", String),
    _POSITIONS.c.symbol,
    *(_POSITIONS.c[column] for column in _HELD.columns),
    type_coerce(null(), _POSITIONS.c.cost.type),
)
_LEDGER_ROWS = union_all(
    _BOOK_PART.where(_BALANCES.c.account_id == bindparam("account_id")),
    _HELD_PART.where(_POSITIONS.c.account_id == bindparam("account_id")),
)
# And the days' realised P&L since a day (an order preview's daily loss limit), a day's row padded too.
_NOTHING = type_coerce(null(), _PNL_DAYS.c.realised.type)
_PNL_PART = select(
    literal("pnl", String), type_coerce(null(), String), _PNL_DAYS.c.realised, _NOTHING, _NOTHING, _NOTHING
).where(_PNL_DAYS.c.day >= bindparam("since"))

# A user's accounts with the user's risk limits and every account's ledger rows (and P&L days) joined on: what
# an order preview and a portfolio read, in one statement. An account without rows comes once, its part null.
_ACCOUNTS, _RISK_SETTINGS = table_of(ExchangeAccountRow), table_of(RiskSettingsRow)
_USERS_ACCOUNT_IDS = select(_ACCOUNTS.c.id).where(_ACCOUNTS.c.user_id == bindparam("user_id"))


def _of_users_accounts(part: Select[Any], table: Table) -> Select[Any]:
    return part.add_columns(table.c.account_id).where(table.c.account_id.in_(_USERS_ACCOUNT_IDS))


def _accounts_with(*parts: Select[Any]) -> Select[Any]:
    rows = union_all(*parts).subquery("ledger_rows")
    part, key, *values, account_id = rows.c
    return (
        select(
            _ACCOUNTS,
            *LIMIT_COLUMNS,
            part.label("ledger_part"),
            key.label("ledger_key"),
            *(value.label(f"ledger_{i}") for i, value in enumerate(values)),
        )
        .outerjoin(_RISK_SETTINGS, _RISK_SETTINGS.c.user_id == _ACCOUNTS.c.user_id)
        .outerjoin(rows, account_id == _ACCOUNTS.c.id)
        .where(_ACCOUNTS.c.user_id == bindparam("user_id"))
        .order_by(_ACCOUNTS.c.id)
    )


_BOOK_ROWS_OF_USER = _of_users_accounts(_BOOK_PART, _BALANCES)
_HELD_ROWS_OF_USER = _of_users_accounts(_HELD_PART, _POSITIONS)
_ACCOUNTS_AND_LEDGERS = _accounts_with(_BOOK_ROWS_OF_USER, _HELD_ROWS_OF_USER)
_ACCOUNTS_LEDGERS_AND_PNL = _accounts_with(
    _BOOK_ROWS_OF_USER, _HELD_ROWS_OF_USER, _of_users_accounts(_PNL_PART, _PNL_DAYS)
)


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
    """`save` writes only the rows that changed since they were read in this transaction."""

    def __init__(self, transaction: Transaction) -> None:
        self._tx = transaction
        self._stored: dict[int, tuple[dict[str, _Book], dict[str, _Held]]] = {}

    async def load(self, account_id: int, *, for_update: bool = False) -> Ledger:
        if for_update:
            await lock_account(self._tx, account_id)
        return _ledger(*await self._rows(account_id))

    async def save(self, account_id: int, ledger: Ledger) -> None:
        """Write what changed since this transaction read the account: changed rows updated, new ones added."""
        books, held = await self._rows(account_id)
        assets = (
            set(ledger.balances) | set(ledger.fees_paid) | set(ledger.deposits) | set(ledger.realised_pnl)
        )
        wanted_books = {
            asset: (
                ledger.balances.get(asset, ZERO),
                ledger.deposits.get(asset, ZERO),
                ledger.fees_paid.get(asset, ZERO),
                ledger.realised_pnl.get(asset, ZERO),
            )
            for asset in assets
        }
        wanted_held = {p.symbol: (p.quantity, p.cost, p.realised_pnl) for p in ledger.positions.values()}
        await _BOOKS.write(self._tx, account_id, books, wanted_books)
        await _HELD.write(self._tx, account_id, held, wanted_held)

    async def of_user(self, user_id: int, realised_since: date | None = None) -> AccountBooks:
        if realised_since is None:
            result = await self._tx.execute(_ACCOUNTS_AND_LEDGERS, {"user_id": user_id})
        else:
            params = {"user_id": user_id, "since": realised_since}
            result = await self._tx.execute(_ACCOUNTS_LEDGERS_AND_PNL, params)
        rows = result.all()
        accounts: dict[int, ExchangeAccount] = {}
        ledger_rows: dict[int, list[Sequence[Any]]] = {}
        realised: dict[int, Decimal] = {}
        for row in rows:
            if row.id not in accounts:
                accounts[row.id], ledger_rows[row.id], realised[row.id] = account_from(row), [], ZERO
            if row.ledger_part == "pnl":
                realised[row.id] += row.ledger_0  # in Python: SQLite sums floats
            elif row.ledger_part is not None:
                ledger_rows[row.id].append(
                    (row.ledger_part, row.ledger_key, row.ledger_0, row.ledger_1, row.ledger_2, row.ledger_3)
                )
        return AccountBooks(
            accounts=tuple(accounts.values()),
            overrides=overrides_of(rows[0]) if rows else RiskOverrides(),
            ledgers={key: _ledger(*self._keep(key, found)) for key, found in ledger_rows.items()},
            realised=realised,
        )

    async def _rows(self, account_id: int) -> tuple[dict[str, _Book], dict[str, _Held]]:
        """The account's rows as stored, read once a transaction and kept in step with what `save` writes."""
        stored = self._stored.get(account_id)
        if stored is None:
            rows = (await self._tx.execute(_LEDGER_ROWS, {"account_id": account_id})).all()
            stored = self._keep(account_id, rows)
        return stored

    def _keep(
        self, account_id: int, rows: Sequence[Sequence[Any]]
    ) -> tuple[dict[str, _Book], dict[str, _Held]]:
        books: dict[str, _Book] = {}
        held: dict[str, _Held] = {}
        for part, key, first, second, third, fourth in rows:
            if part == "book":
                books[key] = (first, second, third, fourth)
            else:
                held[key] = (first, second, third)
        stored = self._stored[account_id] = (books, held)
        return stored

    async def record_pnl(self, account_id: int, day: date, realised: Decimal) -> None:
        if self._tx.dialect == "postgresql":  # one statement: NUMERIC adds exactly
            await self._tx.execute(_ADD_PNL_DAY, {"account_id": account_id, "day": day, "realised": realised})
            return
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
