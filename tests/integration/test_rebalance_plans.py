"""Rebalancing as an automation on a real database and the paper venue, run by the job queue on a manual clock:
on a schedule (each due time once, trades or "already within tolerance" told) and past a drift threshold
(checked hourly, traded only when a share is more than the threshold off its target); and on the real Redis,
run by a SAQ worker."""

import asyncio
from dataclasses import replace
from datetime import time, timedelta
from decimal import Decimal
from typing import cast

import pytest

from bot.jobs import JobServices, job_functions
from handlers.automations_render import RUN_TEXTS
from storage.saq_jobs import SaqJobQueue
from tests.fakes import ManualClock
from tests.harness import ExchangesAround, FailingExchanges, Harness, ProcessDied, answer_lost
from tests.integration.test_plan_runs import orders_and_notices, queue_for, tick
from tests.jobs.saq import ended, saq_workers
from trading.domain.automations import PlanKind, PlanStatus, RunStatus, Schedule
from trading.domain.enums import Side
from trading.domain.errors import ExchangeUnavailable, InvalidInput
from trading.ports.jobs import JobState
from trading.ports.outside import ExchangeGateway
from trading.usecases.automations import confirm_plan, pause_plan, resume_plan, stop_plan, user_plans
from trading.usecases.plan_runs import run_key, run_plan
from trading.usecases.rebalance_plans import propose_rebalance_plan
from trading.usecases.tracking import reconcile_submitted

SHARES = {"BTC": Decimal(50), "ETH": Decimal(30), "USDT": Decimal(20)}
MONTHLY = Schedule("month", at=time(10, 0))


def pin_prices(harness: Harness, btc: int = 60_000, eth: int = 3_000) -> None:
    """The paper market walks with the clock: each test pins its prices where it stands."""
    harness.market.set_price("BTC/USDT", Decimal(btc))
    harness.market.set_price("ETH/USDT", Decimal(eth))


async def runs_of(harness: Harness, plan_id: int) -> list[tuple[RunStatus, str | None]]:
    async with harness.core.uow(read_only=True) as uow:
        return [(run.status, run.error) for run in await uow.plans.runs(plan_id)]


async def sides(harness: Harness, user: int) -> list[tuple[str, Side]]:
    async with harness.core.uow(read_only=True) as uow:
        orders = sorted(await uow.orders.for_user(user), key=lambda o: o.id)
    return [(o.symbol, o.side) for o in orders]


async def test_a_monthly_rebalance_is_previewed_then_trades_once_a_month_or_says_it_is_within_tolerance(
    harness: Harness, clock: ManualClock
) -> None:
    user, _ = await harness.user()
    jobs = queue_for(harness)
    pin_prices(harness)
    preview = await propose_rebalance_plan(harness.core, user, SHARES, MONTHLY, None)
    assert preview.plan.status is PlanStatus.PENDING and preview.plan.kind is PlanKind.REBALANCE
    assert preview.drift_now == Decimal(80)  # all cash against 20% cash
    assert [(t.symbol, t.side) for t in preview.now.trades] == [
        ("BTC/USDT", Side.BUY),
        ("ETH/USDT", Side.BUY),
    ]
    await tick(jobs)
    assert await harness.count("orders") == 0  # nothing runs before its Confirm
    plan = await confirm_plan(harness.core, jobs, user, preview.plan.id)
    assert plan.next_due_at == clock.now().replace(hour=10, minute=0, second=0, microsecond=0)
    assert plan.shares == tuple(SHARES.items()) and plan.drift is None

    clock.advance(timedelta(minutes=30).total_seconds())
    pin_prices(harness)
    await tick(jobs)
    assert await sides(harness, user) == [("BTC/USDT", Side.BUY), ("ETH/USDT", Side.BUY)]
    orders, notices = await orders_and_notices(harness)
    assert len(notices) == 1 and "⚖️ Rebalance #" in notices[0] and "rebalanced:" in notices[0], notices

    clock.advance(timedelta(days=31).total_seconds())  # a month on, prices where they were
    pin_prices(harness)
    await tick(jobs)
    await tick(jobs)  # the same due time again: nothing more
    assert await harness.count("orders") == orders
    _, notices = await orders_and_notices(harness)
    assert "already within tolerance" in notices[-1] and len(notices) == 2, notices
    assert await runs_of(harness, plan.id) == [(RunStatus.PLACED, None), (RunStatus.IDLE, None)]

    clock.advance(timedelta(days=30).total_seconds())  # BTC doubled: sell some, buy ETH
    pin_prices(harness, btc=120_000)
    await tick(jobs)
    assert (await sides(harness, user))[orders:] == [("BTC/USDT", Side.SELL), ("ETH/USDT", Side.BUY)]
    [active] = await user_plans(harness.core, user)
    assert active.runs_done == 3


async def test_a_drift_plan_is_checked_hourly_and_trades_only_past_its_threshold(
    harness: Harness, clock: ManualClock
) -> None:
    user, _ = await harness.user()
    jobs = queue_for(harness)
    pin_prices(harness)
    with pytest.raises(InvalidInput, match="Say when to rebalance"):
        await propose_rebalance_plan(harness.core, user, SHARES, None, None)
    preview = await propose_rebalance_plan(harness.core, user, SHARES, None, Decimal(5))
    assert preview.plan.schedule == Schedule("hour") and preview.first_due == clock.now()
    await confirm_plan(harness.core, jobs, user, preview.plan.id)
    await tick(jobs)  # all cash: 80 points off, over 5
    bought = await harness.count("orders")
    assert bought == 2

    for btc in (60_000, 64_000):  # BTC up a little: about 1.6 points off, within 5
        clock.advance(timedelta(hours=1).total_seconds())
        pin_prices(harness, btc=btc)
        await tick(jobs)
    assert await harness.count("orders") == bought
    _, notices = await orders_and_notices(harness)
    assert len(notices) == 1  # checks within the threshold say nothing

    clock.advance(timedelta(hours=1).total_seconds())  # BTC up 50%: about 10 points off
    pin_prices(harness, btc=90_000)
    await tick(jobs)
    assert (await sides(harness, user))[bought:] == [("BTC/USDT", Side.SELL), ("ETH/USDT", Side.BUY)]
    _, notices = await orders_and_notices(harness)
    assert len(notices) == 2 and "points off, rebalanced:" in notices[-1], notices
    statuses = [status for status, _ in await runs_of(harness, preview.plan.id)]
    assert statuses == [RunStatus.PLACED, RunStatus.IDLE, RunStatus.IDLE, RunStatus.PLACED]

    await pause_plan(harness.core, user, preview.plan.id)
    clock.advance(timedelta(hours=2).total_seconds())
    pin_prices(harness, btc=200_000)
    await tick(jobs)
    assert len(await runs_of(harness, preview.plan.id)) == 4  # paused: not checked
    await resume_plan(harness.core, jobs, user, preview.plan.id)
    await stop_plan(harness.core, user, preview.plan.id)
    clock.advance(timedelta(hours=1).total_seconds())
    await tick(jobs)
    assert len(await runs_of(harness, preview.plan.id)) == 4  # stopped: never again


async def test_the_same_rebalance_due_time_reached_twice_at_once_trades_once(
    harness: Harness, clock: ManualClock
) -> None:
    user, _ = await harness.user()
    pin_prices(harness)
    preview = await propose_rebalance_plan(harness.core, user, SHARES, MONTHLY, None)
    await confirm_plan(harness.core, None, user, preview.plan.id)
    clock.advance(timedelta(minutes=30).total_seconds())
    pin_prices(harness)
    due = preview.first_due
    outcomes = await asyncio.gather(
        *(run_plan(harness.core, preview.plan.id, due, RUN_TEXTS) for _ in range(3))
    )
    assert "placed" in outcomes
    assert (await harness.count("orders"), await harness.count("plan_runs")) == (2, 1)
    _, notices = await orders_and_notices(harness)
    assert len(notices) == 1


async def test_a_rebalance_whose_process_died_mid_way_is_taken_over_once_with_the_trades_still_wanting(
    harness: Harness, clock: ManualClock
) -> None:
    user, _ = await harness.user()
    pin_prices(harness)
    halves = {"BTC": Decimal(50), "USDT": Decimal(50)}
    preview = await propose_rebalance_plan(harness.core, user, halves, MONTHLY, None)
    await confirm_plan(harness.core, None, user, preview.plan.id)
    clock.advance(timedelta(minutes=30).total_seconds())
    pin_prices(harness)
    due = preview.first_due
    # The venue takes the BTC buy, then the process dies before its answer is booked.
    dying = replace(harness.core, exchanges=FailingExchanges(harness, ProcessDied, after_sending=True))
    with pytest.raises(ProcessDied):
        await run_plan(dying, preview.plan.id, due, RUN_TEXTS)
    assert await run_plan(harness.core, preview.plan.id, due, RUN_TEXTS) == "claimed"  # not yet stale
    await reconcile_submitted(harness.core)  # what start-up does: the order the venue took is booked
    clock.advance(timedelta(minutes=3).total_seconds())  # past a run job's timeout: the claim is a dead one's
    pin_prices(harness)
    assert await run_plan(harness.core, preview.plan.id, due, RUN_TEXTS) == "idle"
    assert await sides(harness, user) == [("BTC/USDT", Side.BUY)]  # bought once
    _, notices = await orders_and_notices(harness)
    assert len(notices) == 1 and "already within tolerance" in notices[0], notices


class BalancesAway(ExchangesAround):
    """The harness's exchanges, their balances unreachable (the venue away)."""

    def around(self, account_id: int, gateway: ExchangeGateway) -> ExchangeGateway:
        return cast(ExchangeGateway, Unreachable(gateway))


class Unreachable:
    def __init__(self, inner: ExchangeGateway) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def balances(self) -> object:
        raise answer_lost()


async def test_a_rebalance_run_that_failed_gives_its_claim_back_to_the_retry(
    harness: Harness, clock: ManualClock
) -> None:
    user, _ = await harness.user()
    pin_prices(harness)
    preview = await propose_rebalance_plan(harness.core, user, SHARES, MONTHLY, None)
    await confirm_plan(harness.core, None, user, preview.plan.id)
    clock.advance(timedelta(minutes=30).total_seconds())
    pin_prices(harness)
    away = replace(harness.core, exchanges=BalancesAway(harness.exchanges))
    with pytest.raises(ExchangeUnavailable):
        await run_plan(away, preview.plan.id, preview.first_due, RUN_TEXTS)
    assert await run_plan(harness.core, preview.plan.id, preview.first_due, RUN_TEXTS) == "placed"
    assert await harness.count("orders") == 2


async def test_a_drift_plan_runs_once_on_saq_workers_on_the_real_redis(
    queue: SaqJobQueue,
    harness: Harness,
) -> None:
    user, _ = await harness.user()
    pin_prices(harness)
    preview = await propose_rebalance_plan(harness.core, user, SHARES, None, Decimal(5))
    await confirm_plan(harness.core, None, user, preview.plan.id)
    async with saq_workers(queue, lambda q: job_functions(JobServices(harness.core, q)), count=2) as queues:
        for n, q in enumerate((*queues, queue)):
            await q.enqueue("automations_due", f"tick:{n}")
        await ended(queue, "tick:2")
        status = await ended(queue, run_key(preview.plan.id, preview.first_due))
        assert (status.state, status.result) == (JobState.COMPLETE, "placed")
    assert (await harness.count("orders"), await harness.count("plan_runs")) == (2, 1)
    assert await harness.count("notices") == 1
