"""Rows written and read through a unit of work's transaction keep their types on both databases: Decimal
exact (text on SQLite), datetimes aware in UTC, JSON, booleans and NULLs; many rows in one statement; a
failed statement leaves nothing once the unit is closed."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.transaction import Transaction
from storage.types import Money, UtcDateTime

METADATA = MetaData()
ENTRIES = Table(
    "type_checks",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), nullable=False, unique=True),
    Column("amount", Money, nullable=True),
    Column("at", UtcDateTime, nullable=True),
    Column("tags", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("fee", Money, nullable=False, default=Decimal("0.5")),
)
ADD = insert(ENTRIES).returning(ENTRIES.c.id)
BY_NAME = select(ENTRIES).where(ENTRIES.c.name == bindparam("name"))
RENAME = update(ENTRIES).where(ENTRIES.c.id == bindparam("entry_id")).values(name=bindparam("new_name"))
NAMED_IN = select(ENTRIES.c.name).where(ENTRIES.c.name.in_(bindparam("names", expanding=True)))
AT = datetime(2026, 12, 6, 14, 30, 15, 123456, tzinfo=UTC)
FULL: dict[str, Any] = {
    "amount": Decimal("0.000000012345678901"),
    "at": AT,
    "tags": ["a", "b"],
    "active": True,
    "fee": Decimal(2),
}
BARE: dict[str, Any] = {"amount": None, "at": None, "tags": [], "active": False, "fee": Decimal(0)}


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    made = create_engine(database_url)
    async with made.begin() as connection:
        await connection.run_sync(METADATA.drop_all)
        await connection.run_sync(METADATA.create_all)
    yield made
    async with made.begin() as connection:
        await connection.run_sync(METADATA.drop_all)
    await made.dispose()


async def run(engine: AsyncEngine, statement: Any, params: Any = None, *, commit: bool = True) -> list[Any]:
    """A unit of one statement, its rows read inside it (as the repositories read theirs)."""
    transaction = Transaction(engine)
    try:
        result = await transaction.execute(statement, params)
        rows = list(result) if result.returns_rows else [result.rowcount]
        if commit:
            await transaction.commit()
        return rows
    finally:
        await transaction.close()


async def test_rows_read_back_with_their_types(engine: AsyncEngine) -> None:
    for name, values in (("full", FULL), ("bare", BARE)):
        [(entry_id,)] = await run(engine, ADD, {"name": name, **values})
        assert entry_id > 0
    for name, values in (("full", FULL), ("bare", BARE)):
        [row] = await run(engine, BY_NAME, {"name": name})
        assert row.name == row[1] == name
        assert {key: getattr(row, key) for key in values} == values
    [full] = await run(engine, BY_NAME, {"name": "full"})
    assert isinstance(full.amount, Decimal) and full.at.tzinfo is UTC and full.active is True
    if engine.dialect.name == "sqlite":  # whose NUMERIC is a float: the exact digits are kept as text
        [(kind,)] = await run(engine, text("SELECT typeof(amount) FROM type_checks WHERE name = 'full'"))
        assert kind == "text"


async def test_an_aware_datetime_is_stored_in_utc_and_a_naive_one_refused(engine: AsyncEngine) -> None:
    elsewhere = AT.astimezone(timezone(timedelta(hours=5, minutes=30)))
    await run(engine, ADD, {"name": "zoned", **{**FULL, "at": elsewhere}})
    [row] = await run(engine, BY_NAME, {"name": "zoned"})
    assert row.at == AT and row.at.tzinfo is UTC
    with pytest.raises(Exception, match="naive datetime"):
        await run(engine, ADD, {"name": "naive", **{**FULL, "at": AT.replace(tzinfo=None)}})


async def test_defaults_many_rows_and_expanding_parameters(engine: AsyncEngine) -> None:
    without_fee = {"name": "default", **{k: v for k, v in FULL.items() if k != "fee"}}
    await run(engine, ADD, without_fee)
    [row] = await run(engine, BY_NAME, {"name": "default"})
    assert row.fee == Decimal("0.5")

    await run(engine, insert(ENTRIES), [{"name": f"many {i}", **FULL} for i in range(3)])
    rename = [{"entry_id": entry_id, "new_name": f"renamed {entry_id}"} for entry_id in (2, 4, 99)]
    await run(engine, RENAME, rename)  # its count is the driver's to give: asyncpg gives none for many
    names = await run(engine, NAMED_IN, {"names": ["renamed 2", "many 1", "renamed 4", "none"]})
    assert sorted(row.name for row in names) == ["many 1", "renamed 2", "renamed 4"]


async def test_a_unit_left_without_commit_or_failing_keeps_nothing(engine: AsyncEngine) -> None:
    [(entry_id,)] = await run(engine, ADD, {"name": "old", **FULL})
    assert await run(engine, RENAME, {"entry_id": entry_id, "new_name": "new"}, commit=False) == [1]
    assert await run(engine, BY_NAME, {"name": "new"}) == []

    with pytest.raises(IntegrityError):
        await run(engine, insert(ENTRIES), [{"name": "fresh", **FULL}, {"name": "old", **FULL}])
    assert await run(engine, BY_NAME, {"name": "fresh"}) == []
    transaction = Transaction(engine)
    try:
        await transaction.execute(ADD, {"name": "first", **BARE})
        with pytest.raises(IntegrityError):
            await transaction.execute(ADD, {"name": "old", **BARE})
    finally:
        await transaction.close()
    assert await run(engine, BY_NAME, {"name": "first"}) == []
