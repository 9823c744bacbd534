"""Units of work and paper-venue sessions left without a commit: nothing they wrote stays, and the connection
they held (the pool does not reset connections on its own) serves the next writer cleanly."""

import asyncio
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from storage.paper_store import SqlPaperStore
from storage.transaction import Transaction
from tests.harness import Harness
from trading.domain.alerts import AlertCondition


class Boom(Exception):
    pass


async def test_a_unit_of_work_that_fails_writes_nothing_and_frees_its_connection(harness: Harness) -> None:
    user, account = await harness.user()
    before = await harness.counts()

    with pytest.raises(Boom):
        async with harness.core.uow() as uow:
            await uow.alerts.add(user, "BTC/USDT", AlertCondition.ABOVE, Decimal(1), harness.core.clock.now())
            ledger = await uow.ledgers.load(account.id, for_update=True)
            await uow.ledgers.save(account.id, replace(ledger, balances={"USDT": Decimal(1)}))
            raise Boom

    assert await harness.counts() == before
    async with harness.core.uow() as uow:  # the same (single) writer connection, in a fresh transaction
        assert (await uow.ledgers.load(account.id)).balances["USDT"] == Decimal(10_000)
        await uow.ledgers.record_pnl(account.id, harness.core.clock.now().date(), Decimal(5))
        await uow.commit()
    async with harness.core.uow(read_only=True) as uow:
        today = harness.core.clock.now().date()
        assert await uow.ledgers.pnl_by_day(account.id, today) == {today: Decimal(5)}


async def test_a_paper_session_left_without_commit_writes_nothing(harness: Harness) -> None:
    _, account = await harness.user()
    store = SqlPaperStore(harness.engine)
    async with store.session() as session:
        balances = await session.balances(account.id)
        await session.set_balances(account.id, {**balances, "USDT": Decimal(1), "ETH": Decimal(2)})
        assert await session.open_orders(account.id) == []

    async with store.session() as session:
        assert await session.balances(account.id) == balances
        await session.set_balances(account.id, {**balances, "ETH": Decimal(3)})
        await session.commit()
    async with store.session(read_only=True) as session:
        assert await session.balances(account.id) == {**balances, "ETH": Decimal(3)}


async def test_orm_rows_and_core_statements_of_one_unit_commit_together(harness: Harness) -> None:
    """The alert goes through an ORM session joined to the unit's transaction, the P&L through the unit's
    connection: one commit writes both, and the connection serves the next unit."""
    user, account = await harness.user()
    today = harness.core.clock.now().date()
    async with harness.core.uow() as uow:
        alert = await uow.alerts.add(
            user, "BTC/USDT", AlertCondition.BELOW, Decimal(2), harness.core.clock.now()
        )
        await uow.ledgers.record_pnl(account.id, today, Decimal(7))
        await uow.commit()
    async with harness.core.uow(read_only=True) as uow:
        assert [a.id for a in await uow.alerts.for_user(user)] == [alert.id]
        assert await uow.ledgers.pnl_by_day(account.id, today) == {today: Decimal(7)}


async def test_a_days_pnl_adds_up_exactly_across_units_and_days(harness: Harness) -> None:
    _, account = await harness.user()
    today = harness.core.clock.now().date()
    yesterday = today - timedelta(days=1)
    for day, realised in (
        (today, "0.1"),
        (today, "0.2"),
        (yesterday, "-3.000000000000000001"),
        (today, "-5"),
    ):
        async with harness.core.uow() as uow:
            await uow.ledgers.record_pnl(account.id, day, Decimal(realised))
            await uow.commit()
    async with harness.core.uow(read_only=True) as uow:
        days = await uow.ledgers.pnl_by_day(account.id, yesterday)
    assert days == {yesterday: Decimal("-3.000000000000000001"), today: Decimal("-4.7")}


async def test_the_health_check_does_not_queue_behind_a_writer(harness: Harness) -> None:
    _, account = await harness.user()
    async with harness.core.uow() as uow:  # holds the writer's connection (SQLite's only one) and its lock
        await uow.ledgers.load(account.id, for_update=True)
        assert await asyncio.wait_for(harness.container.database_ok(), 10)  # a bound on a hang


async def test_a_unit_of_work_that_need_not_be_durable_commits_all_the_same(harness: Harness) -> None:
    user, _ = await harness.user()
    async with harness.core.uow(durable=False) as uow:
        await uow.alerts.add(user, "BTC/USDT", AlertCondition.ABOVE, Decimal(1), harness.core.clock.now())
        await uow.commit()
    assert await harness.count("alerts") == 1
    if (
        harness.engine.dialect.name == "postgresql"
    ):  # its transaction alone commits without waiting for the disk
        setting = text("SELECT current_setting('synchronous_commit')")
        relaxed, durable = Transaction(harness.engine, durable=False), Transaction(harness.engine)
        try:
            assert await relaxed.scalar(setting) == "off"
            assert await durable.scalar(setting) == "on"
        finally:
            await relaxed.close()
            await durable.close()
