"""Every stored secret encrypted again under the newest key (`tsbot keys rotate`): exchange credentials,
webhook secrets and second factors' TOTP secrets. One row per transaction, each written only if it is still
what was read, so that a rotation stopped midway leaves every row readable (under one key or another that the
cipher still holds) and running it again finishes the work."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Row, Table, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.automation_models import NotifyChannelRow
from storage.crypto import CredentialCipher
from storage.models import Base, ExchangeAccountRow, table_of
from storage.second_factor_models import SecondFactorRow

# Each table with encrypted columns, and those columns.
ENCRYPTED: tuple[tuple[type[Base], tuple[str, ...]], ...] = (
    (ExchangeAccountRow, ("api_key_enc", "secret_enc", "password_enc")),
    (NotifyChannelRow, ("secret",)),
    (SecondFactorRow, ("secret_enc",)),
)
PAGE = 500


@dataclass(frozen=True, slots=True)
class Rotation:
    """Rows re-encrypted now, rows whose secrets were under the newest key already, and rows that no key of the
    cipher decrypts (left as they are)."""

    rotated: int = 0
    current: int = 0
    unreadable: int = 0

    def __add__(self, other: "Rotation") -> "Rotation":
        return Rotation(
            self.rotated + other.rotated, self.current + other.current, self.unreadable + other.unreadable
        )


async def rotate_secrets(engine: AsyncEngine, cipher: CredentialCipher) -> Rotation:
    total = Rotation()
    for model, columns in ENCRYPTED:
        total += await _rotate_table(engine, cipher, table_of(model), columns)
    return total


async def _rotate_table(
    engine: AsyncEngine, cipher: CredentialCipher, table: Table, columns: Sequence[str]
) -> Rotation:
    done = Rotation()
    after = 0
    while True:
        async with engine.connect() as connection:
            statement = select(table.c.id, *(table.c[c] for c in columns)).where(table.c.id > after)
            rows = (await connection.execute(statement.order_by(table.c.id).limit(PAGE))).all()
        for row in rows:
            done += await _rotate_row(engine, cipher, table, columns, row)
        if len(rows) < PAGE:
            return done
        after = rows[-1].id


async def _rotate_row(
    engine: AsyncEngine, cipher: CredentialCipher, table: Table, columns: Sequence[str], row: Row[object]
) -> Rotation:
    stored = {c: row._mapping[c] for c in columns if row._mapping[c] is not None}
    if not stored:
        return Rotation()  # nothing encrypted (a paper account)
    stale = {c: value for c, value in stored.items() if not cipher.is_current(value)}
    if not stale:
        return Rotation(current=1)
    unchanged = [table.c[c] == value for c, value in stale.items()]  # a row changed meanwhile is left
    try:
        values = {c: cipher.rotate(value) for c, value in stale.items()}
    except ValueError:
        return Rotation(unreadable=1)
    async with engine.begin() as connection:
        result = await connection.execute(
            update(table).where(table.c.id == row.id, *unchanged).values(values)
        )
    return Rotation(rotated=result.rowcount)
