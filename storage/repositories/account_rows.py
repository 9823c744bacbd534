"""What the spot ledger and the futures book share: the account's row lock, and rows of one table keyed by the
account and one column, read once a transaction and written back only where they changed."""

from collections.abc import Mapping
from typing import Generic, TypeVar

from sqlalchemy import Table, bindparam, delete, insert, select, update

from storage.models import ExchangeAccountRow, table_of
from storage.transaction import Transaction

_ACCOUNTS = table_of(ExchangeAccountRow)
_LOCK_ACCOUNT = select(_ACCOUNTS.c.id).where(_ACCOUNTS.c.id == bindparam("account_id")).with_for_update()

# A row's values, in the order of its `columns`.
Values = TypeVar("Values", bound=tuple[object, ...])


async def lock_account(tx: Transaction, account_id: int) -> None:
    """A row lock on the account; on SQLite, BEGIN IMMEDIATE already serialises writers."""
    if tx.dialect != "sqlite":
        await tx.execute(_LOCK_ACCOUNT, {"account_id": account_id})


class AccountRows(Generic[Values]):
    """The rows of `table` for one account, keyed by its column `key`, with the value `columns` compared.
    Statements are built once, on the Core table."""

    def __init__(self, table: Table, key: str, columns: tuple[str, ...]) -> None:
        self.key = key
        self.columns = columns
        of_account = table.c.account_id == bindparam("b_account_id")
        self._insert = insert(table)
        self._update = update(table).where(of_account, table.c[key] == bindparam("b_key"))
        self._delete = delete(table).where(of_account, table.c[key] == bindparam("b_key"))

    async def write(
        self,
        tx: Transaction,
        account_id: int,
        stored: dict[str, Values],
        wanted: Mapping[str, Values],
        *,
        remove_missing: bool = False,
    ) -> None:
        """Update the rows whose values changed, insert the new ones (each kind in one statement), delete
        those no longer wanted if asked; `stored` is kept in step with what was written."""
        changed: list[dict[str, object]] = []
        new: list[dict[str, object]] = []
        for key in sorted(wanted):
            values = wanted[key]
            if stored.get(key) == values:
                continue
            named = dict(zip(self.columns, values, strict=True))
            if key in stored:
                changed.append({"b_account_id": account_id, "b_key": key, **named})
            else:
                new.append({"account_id": account_id, self.key: key, **named})
            stored[key] = values
        for statement, rows in ((self._update, changed), (self._insert, new)):
            if rows:
                await tx.execute(statement, rows)
        if remove_missing:
            gone = sorted(set(stored) - set(wanted))
            if gone:
                await tx.execute(self._delete, [{"b_account_id": account_id, "b_key": key} for key in gone])
            for key in gone:
                del stored[key]
