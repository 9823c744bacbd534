"""The migrations build exactly the models' schema, on SQLite and PostgreSQL, and come down cleanly; data
migrations carry what the rows meant."""

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import insert, inspect, select
from sqlalchemy.engine import make_url

from bot.migrate import alembic_config
from bot.server import report
from storage.db import create_engine, execute_autocommit
from storage.models import Base, ExchangeAccountRow, OrderRow, UserRow, table_of
from storage.signal_models import SignalRow, SignalSourceRow
from tests.databases import POSTGRES_URL, backends
from tests.fakes import ManualClock
from tests.harness import make_harness
from trading.usecases.accounts import reconcile_paper_deposits
from trading.usecases.portfolio import portfolio
from trading.usecases.reporting import NOTHING, TrackingEvents


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


@pytest.fixture(params=backends())
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own: migrating down must not disturb the one the other tests share."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    # Named after the tests' database: suites run at once on one server, each on a database of its own, never
    # drop each other's.
    name = f"{make_url(POSTGRES_URL).database}_migrations"
    drop = f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    asyncio.run(execute_autocommit(POSTGRES_URL, drop))
    asyncio.run(execute_autocommit(POSTGRES_URL, f"CREATE DATABASE {name}"))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(execute_autocommit(POSTGRES_URL, drop))


def test_upgrade_matches_the_models_and_downgrade_removes_everything(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    assert asyncio.run(_tables(empty_database)) == set(Base.metadata.tables) | {"alembic_version"}
    command.check(config)  # raises when the models have changes no migration carries

    command.downgrade(config, "base")
    assert asyncio.run(_tables(empty_database)) == {"alembic_version"}
    command.upgrade(config, "head")  # and back up again from nothing


async def _history_at_0007(url: str, at: datetime) -> None:
    """A database's rows as the code of 0007 left them: a stop filled (told, or lost, by that code), a target
    still armed, and a signal closed."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(table_of(UserRow)).values(id=1, name="trader", created_at=at))
            account = {"id": 1, "user_id": 1, "exchange": "paper", "label": "Paper", "created_at": at}
            await connection.execute(insert(table_of(ExchangeAccountRow)).values(**account, testnet=False))
            order = {"user_id": 1, "account_id": 1, "symbol": "ETH/USDT", "order_type": "market"}
            order |= {"quantity": Decimal(1), "created_at": at, "updated_at": at}
            await connection.execute(
                insert(table_of(OrderRow)),
                [
                    {
                        **order,
                        "id": 1,
                        "client_order_id": "e",
                        "role": "entry",
                        "side": "buy",
                        "status": "filled",
                    },
                    {**order, "id": 2, "client_order_id": "s", "parent_id": 1, "role": "stop_loss"}
                    | {
                        "side": "sell",
                        "status": "filled",
                        "filled": Decimal(1),
                        "average_price": Decimal(2990),
                    },
                    {**order, "id": 3, "client_order_id": "t", "parent_id": 1, "role": "take_profit"}
                    | {"side": "sell", "status": "armed", "price": Decimal(4000)},
                ],
            )
            source = {"id": 1, "user_id": 1, "external_id": "-1", "title": "Calls", "auto_follow": False}
            await connection.execute(insert(table_of(SignalSourceRow)).values(**source, created_at=at))
            signal = {
                "id": 1,
                "source_id": 1,
                "user_id": 1,
                "content_hash": "h",
                "text": "t",
                "symbol": "ETH",
            }
            signal |= {"side": "buy", "entries": ["3000"], "targets": ["4000"], "status": "followed"}
            signal |= {
                "outcome": "loss",
                "pnl": Decimal(-10),
                "group_id": "g",
                "closed_at": at,
                "created_at": at,
            }
            await connection.execute(insert(table_of(SignalRow)).values(**signal))
    finally:
        await engine.dispose()


async def _reported_at(url: str) -> tuple[dict[int, datetime | None], datetime | None]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            orders = table_of(OrderRow)
            rows = await connection.execute(select(orders.c.id, orders.c.reported_at))
            legs = {row.id: row.reported_at for row in rows}
            signal = await connection.scalar(select(table_of(SignalRow).c.reported_at))
    finally:
        await engine.dispose()
    return legs, signal


def test_upgrading_past_0008_never_tells_what_ended_before(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "0007_notices")
    at = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    asyncio.run(_history_at_0007(empty_database, at))

    command.upgrade(config, "head")
    # The ended stop and the closed signal count as reported; the entry and the armed target do not.
    assert asyncio.run(_reported_at(empty_database)) == ({1: None, 2: at, 3: None}, at)

    async def report_after_upgrade() -> tuple[TrackingEvents, int]:
        harness = make_harness(empty_database, ManualClock())
        try:
            return await report(harness.core), await harness.count("notices")
        finally:
            await harness.close()

    assert asyncio.run(report_after_upgrade()) == (NOTHING, 0)


async def _accounts_at_0008(url: str, at: datetime) -> None:
    """Two paper accounts and one on a venue, as the code of 0008 left them (it kept no deposit marker)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(table_of(UserRow)).values(id=1, name="trader", created_at=at))
            account = {"user_id": 1, "testnet": False, "created_at": at}
            await connection.execute(
                insert(table_of(ExchangeAccountRow)),
                [
                    {**account, "id": 1, "exchange": "paper", "label": "Paper"},
                    {**account, "id": 2, "exchange": "paper", "label": "Second"},
                    {**account, "id": 3, "exchange": "binance", "label": "Binance"},
                ],
            )
    finally:
        await engine.dispose()


async def _deposit_markers(url: str) -> dict[int, datetime | None]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            accounts = table_of(ExchangeAccountRow)
            rows = await connection.execute(select(accounts.c.id, accounts.c.deposit_pending_since))
            return {row.id: row.deposit_pending_since for row in rows}
    finally:
        await engine.dispose()


def test_upgrading_past_0009_reconciles_every_paper_account_once(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "0008_reported_events")
    at = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    asyncio.run(_accounts_at_0008(empty_database, at))

    command.upgrade(config, "head")
    # Any paper account may hold a deposit the old code stopped between the venue and the books.
    assert asyncio.run(_deposit_markers(empty_database)) == {1: at, 2: at, 3: None}

    async def first_start_after_upgrade() -> tuple[int, int, Decimal]:
        harness = make_harness(empty_database, ManualClock())
        try:
            async with harness.core.uow(read_only=True) as uow:
                stopped = await uow.accounts.get(1)
            assert stopped is not None
            await harness.exchanges.paper_funding(stopped).deposit("USDT", Decimal(250))  # before the upgrade
            first, then = (
                await reconcile_paper_deposits(harness.core),
                await reconcile_paper_deposits(harness.core),
            )
            return first, then, (await portfolio(harness.core, 1, 1)).deposits
        finally:
            await harness.close()

    assert asyncio.run(first_start_after_upgrade()) == (1, 0, Decimal(250))
    assert asyncio.run(_deposit_markers(empty_database)) == {1: None, 2: None, 3: None}


async def _market_types(url: str) -> dict[int, str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            accounts = table_of(ExchangeAccountRow)
            rows = await connection.execute(select(accounts.c.id, accounts.c.market_type))
            return {row.id: row.market_type for row in rows}
    finally:
        await engine.dispose()


def test_upgrading_past_0017_keeps_every_account_spot(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "0016_signal_breakout")
    asyncio.run(_accounts_at_0008(empty_database, datetime(2026, 12, 1, 12, 0, tzinfo=UTC)))

    command.upgrade(config, "head")
    assert asyncio.run(_market_types(empty_database)) == {1: "spot", 2: "spot", 3: "spot"}
