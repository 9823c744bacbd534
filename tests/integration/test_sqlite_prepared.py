"""Statements prepared for SQLite (storage.sqlite_prepared) read and write what SQLAlchemy's own execution
does: the same rows, typed the same; the same defaults, counts and errors; the transaction begun and ended the
same. What needs more of SQLAlchemy's execution is left to it, and still runs."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
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
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.sqlite_dialect import InLoopSQLiteDialect
from storage.sqlite_prepared import PreparedResult
from storage.transaction import Transaction
from storage.types import Money, UtcDateTime

METADATA = MetaData()
ENTRIES = Table(
    "entries",
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
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    made = create_engine(f"sqlite:///{tmp_path / 'prepared.db'}")
    async with made.begin() as connection:
        await connection.run_sync(METADATA.create_all)
    yield made
    await made.dispose()


def prepared(engine: AsyncEngine, statement: Any, params: Any) -> bool:
    dialect = engine.dialect
    assert isinstance(dialect, InLoopSQLiteDialect)
    return dialect.prepared.bind(statement, params) is not None


async def run(
    engine: AsyncEngine, statement: Any, params: Any = None, *, commit: bool = True
) -> PreparedResult:
    """A unit of one statement, its result read inside it (as the repositories read theirs)."""
    transaction = Transaction(engine)
    try:
        result = await transaction.execute(statement, params)
        read = PreparedResult(list(result), result.rowcount)
        if commit:
            await transaction.commit()
        return read
    finally:
        await transaction.close()


async def test_a_prepared_statement_gives_the_rows_sqlalchemy_gives(engine: AsyncEngine) -> None:
    for name, values in (("full", FULL), ("bare", BARE)):
        assert prepared(engine, ADD, {"name": name, **values})
        assert (await run(engine, ADD, {"name": name, **values})).scalar_one() > 0

    for name, values in (("full", FULL), ("bare", BARE)):
        assert prepared(engine, BY_NAME, {"name": name})
        row = (await run(engine, BY_NAME, {"name": name})).one()
        async with engine.connect() as connection:  # SQLAlchemy's own execution, through the bridge
            expected = (await connection.execute(BY_NAME, {"name": name})).one()
        assert tuple(row) == tuple(expected)
        assert {key: getattr(row, key) for key in values} == values
        assert row[1] == row.name == name
    full = (await run(engine, BY_NAME, {"name": "full"})).one()
    assert isinstance(full.amount, Decimal) and full.at.tzinfo is UTC and full.active is True


async def test_what_sqlalchemy_must_run_is_left_to_it_and_still_runs(engine: AsyncEngine) -> None:
    without_fee = {"name": "default", **{k: v for k, v in FULL.items() if k != "fee"}}
    assert not prepared(engine, ADD, without_fee)  # the fee's default is SQLAlchemy's to compute
    await run(engine, ADD, without_fee)
    assert (await run(engine, BY_NAME, {"name": "default"})).one().fee == Decimal("0.5")

    assert not prepared(engine, NAMED_IN, {"names": ["default"]})  # an expanding parameter
    assert [row.name for row in await run(engine, NAMED_IN, {"names": ["default", "none"]})] == ["default"]

    count = text("SELECT count(*) FROM entries")
    assert not prepared(engine, count, None)  # text: its columns are unknown
    assert (await run(engine, count)).scalar() == 1

    many = [{"name": f"many {i}", **BARE} for i in range(2)]
    assert not prepared(engine, ADD, many)  # RETURNING from many sets of parameters
    assert not prepared(engine, insert(ENTRIES), [many[0], {"name": "no fee", **without_fee}])  # names differ
    assert (await run(engine, ADD, many[0])).scalar_one() > 0
    transaction = Transaction(engine)
    await transaction.execute(ADD, many[1:])
    await transaction.commit()
    await transaction.close()
    assert (await run(engine, count)).scalar() == 3


async def test_many_sets_of_parameters_write_in_one_prepared_statement(engine: AsyncEngine) -> None:
    add_many = insert(ENTRIES)
    rows = [{"name": f"many {i}", **FULL} for i in range(3)]
    assert prepared(engine, add_many, rows)
    await run(engine, add_many, rows)
    rename = [{"entry_id": entry_id, "new_name": f"renamed {entry_id}"} for entry_id in (1, 3, 99)]
    assert prepared(engine, RENAME, rename)
    assert (await run(engine, RENAME, rename)).rowcount == 2
    names = [row.name for row in await run(engine, NAMED_IN, {"names": ["renamed 1", "many 1", "renamed 3"]})]
    assert sorted(names) == ["many 1", "renamed 1", "renamed 3"]
    assert (await run(engine, BY_NAME, {"name": "many 1"})).one().amount == FULL["amount"]

    with pytest.raises(IntegrityError, match=r"UNIQUE constraint failed: entries\.name"):
        await run(engine, add_many, [{"name": "fresh", **FULL}, {"name": "many 1", **FULL}])
    assert (await run(engine, BY_NAME, {"name": "fresh"})).one_or_none() is None


async def test_a_prepared_write_counts_its_rows_and_is_kept_only_when_committed(engine: AsyncEngine) -> None:
    entry_id = (await run(engine, ADD, {"name": "old", **FULL})).scalar_one()
    assert prepared(engine, RENAME, {"entry_id": entry_id, "new_name": "new"})

    # The first statement of a unit begins its transaction: closed without a commit, nothing stays.
    assert (await run(engine, RENAME, {"entry_id": entry_id, "new_name": "new"}, commit=False)).rowcount == 1
    assert (await run(engine, BY_NAME, {"name": "old"})).one_or_none() is not None

    assert (await run(engine, RENAME, {"entry_id": entry_id + 1, "new_name": "none"})).rowcount == 0
    assert (await run(engine, RENAME, {"entry_id": entry_id, "new_name": "new"})).rowcount == 1
    assert (await run(engine, BY_NAME, {"name": "old"})).one_or_none() is None
    assert (await run(engine, BY_NAME, {"name": "new"})).one().id == entry_id


async def test_a_driver_error_is_raised_as_sqlalchemy_raises_it_and_the_unit_writes_nothing(
    engine: AsyncEngine,
) -> None:
    await run(engine, ADD, {"name": "taken", **FULL})
    transaction = Transaction(engine)
    try:
        await transaction.execute(ADD, {"name": "first", **BARE})
        with pytest.raises(IntegrityError, match=r"UNIQUE constraint failed: entries\.name"):
            await transaction.execute(ADD, {"name": "taken", **BARE})
    finally:
        await transaction.close()
    assert (await run(engine, BY_NAME, {"name": "first"})).one_or_none() is None
    with pytest.raises(SQLAlchemyError, match="A value is required for bind parameter 'name'"):
        await run(engine, BY_NAME, {})  # a parameter left out: SQLAlchemy's own refusal


async def test_a_statement_built_anew_runs_with_the_values_written_into_it(engine: AsyncEngine) -> None:
    for name in ("one", "two"):
        await run(engine, ADD, {"name": name, **BARE})
    for name in ("one", "two"):  # the second finds the first's prepared shape, and brings its own value
        statement = select(ENTRIES.c.name).where(ENTRIES.c.name == name)
        assert prepared(engine, statement, None)
        assert [row.name for row in await run(engine, statement)] == [name]
