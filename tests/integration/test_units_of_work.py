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
from trading.domain.enums import OrderStatus, OrderType, Side
from trading.domain.ledger import Position
from trading.exchanges.paper.store import PaperOrder


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


async def test_a_reading_paper_session_sees_the_balances_and_open_orders_a_writer_sees(
    harness: Harness,
) -> None:
    """A session that only looks reads both in one statement: the same balances, the same open orders in the same
    order, and none of the account's closed ones or another account's."""
    _, account = await harness.user()
    _, other = await harness.user("other")
    store = SqlPaperStore(harness.engine)

    def order(account_id: int, n: int, status: OrderStatus) -> PaperOrder:
        filled = Decimal("0.25") if status is OrderStatus.PARTIALLY_FILLED else Decimal(0)
        return PaperOrder(
            id=0,
            account_id=account_id,
            client_order_id=f"paper-{account_id}-{n}",
            symbol="ETH/USDT",
            side=Side.BUY,
            order_type=OrderType.LIMIT,
            quantity=Decimal("0.5"),
            price=Decimal(2000 + n),
            status=status,
            filled=filled,
            fee=Decimal(0),
            last_step=0,
            created_at=harness.core.clock.now(),
        )

    async with store.session() as session:
        balances = await session.balances(account.id)
        await session.set_balances(account.id, {**balances, "ETH": Decimal("1.5")})
        for n, status in enumerate([OrderStatus.OPEN, OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED]):
            await session.add_order(order(account.id, n, status))
        await session.add_order(order(other.id, 9, OrderStatus.OPEN))
        await session.commit()
    async with store.session() as session:
        written = await session.balances(account.id), await session.open_orders(account.id)

    async with store.session(read_only=True) as session:
        read = await session.balances(account.id), await session.open_orders(account.id)

    assert read == written
    assert [o.client_order_id for o in read[1]] == [f"paper-{account.id}-0", f"paper-{account.id}-2"]
    assert read[0]["ETH"] == Decimal("1.5")


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


async def test_a_ledger_read_with_the_pnl_since_a_day_is_the_ledger_and_those_days_added(
    harness: Harness,
) -> None:
    _, account = await harness.user()
    today = harness.core.clock.now().date()
    async with harness.core.uow() as uow:
        ledger = await uow.ledgers.load(account.id, for_update=True)
        held = Position("ETH/USDT", Decimal("0.5"), Decimal(1000), Decimal(3))
        await uow.ledgers.save(account.id, replace(ledger, positions={held.symbol: held}))
        for days_ago, realised in [(2, Decimal(-40)), (1, Decimal("12.5")), (0, Decimal("-7.25"))]:
            await uow.ledgers.record_pnl(account.id, today - timedelta(days=days_ago), realised)
        await uow.commit()

    async with harness.core.uow(read_only=True) as uow:
        alone = await uow.ledgers.load(account.id)
        since_yesterday = await uow.ledgers.of_user(account.user_id, today - timedelta(days=1))
        since_tomorrow = await uow.ledgers.of_user(account.user_id, today + timedelta(days=1))
        without = await uow.ledgers.of_user(account.user_id)

    assert alone.positions == {"ETH/USDT": held}
    assert account in since_yesterday.accounts
    for books in (since_yesterday, since_tomorrow, without):
        assert books.ledgers[account.id] == alone
    assert since_yesterday.realised[account.id] == Decimal("5.25")
    assert since_tomorrow.realised[account.id] == without.realised[account.id] == Decimal(0)
