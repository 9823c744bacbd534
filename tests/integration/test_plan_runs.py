"""Recurring orders and DCA on a real database, run by the in-process queue on a manual clock: previewed,
confirmed, each due time run once through the normal order path and told; runs missed while down skipped and
told; the same due time reached twice at once, or after a crash, placing one order."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from bot.jobs import JobServices, job_functions
from handlers.automations_render import RUN_TEXTS
from tests.fakes import ManualClock
from tests.harness import FailingExchanges, Harness, ProcessDied
from trading.domain.automations import PlanKind, PlanStatus, RunStatus, Schedule
from trading.domain.enums import AmountUnit, Side
from trading.domain.errors import InvalidInput
from trading.domain.intents import OrderIntent
from trading.domain.risk import RiskOverrides
from trading.jobs.local import LocalJobQueue
from trading.usecases.automations import (
    PlanRequest,
    confirm_plan,
    pause_plan,
    propose_plan,
    resume_plan,
    stop_plan,
    twap_request,
    user_plans,
)
from trading.usecases.plan_runs import run_plan

MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the harness's clock starts on this Monday, at 9:30


def weekly(runs: int | None = 10) -> PlanRequest:
    schedule = Schedule("week", weekday=0, at=time(9, 0))
    return PlanRequest(PlanKind.RECURRING, Side.BUY, "ETH", Decimal(100), AmountUnit.QUOTE, schedule, runs)


def queue_for(harness: Harness) -> LocalJobQueue:
    queue = LocalJobQueue(harness.clock, {})
    queue.add_functions(job_functions(JobServices(harness.core, queue)))
    return queue


async def tick(queue: LocalJobQueue) -> None:
    """What the periodic tick does, then the runs it queued."""
    await queue.enqueue("automations_due", "tick")
    await queue.run_due()
    await queue.run_due()


async def confirmed_weekly_plan(harness: Harness) -> tuple[int, LocalJobQueue, int]:
    """A new user's weekly DCA, confirmed, on a queue of its own."""
    user, _ = await harness.user()
    queue = queue_for(harness)
    preview = await propose_plan(harness.core, user, weekly())
    await confirm_plan(harness.core, queue, user, preview.plan.id)
    return user, queue, preview.plan.id


async def orders_and_notices(harness: Harness) -> tuple[int, list[str]]:
    async with harness.core.uow(read_only=True) as uow:
        notices = [n.text for n in await uow.notices.unsent(100)]
    return await harness.count("orders"), notices


async def test_a_weekly_dca_is_previewed_then_runs_once_a_week_until_its_last_run(
    harness: Harness, clock: ManualClock
) -> None:
    user, _ = await harness.user()
    queue = queue_for(harness)
    preview = await propose_plan(harness.core, user, weekly(runs=3))
    assert preview.plan.status is PlanStatus.PENDING and preview.total == Decimal(300)
    assert preview.first_due == MONDAY_9 + timedelta(weeks=1)
    assert preview.last_due == MONDAY_9 + timedelta(weeks=3)
    await tick(queue)
    assert await harness.count("orders") == 0  # nothing runs before its Confirm
    plan = await confirm_plan(harness.core, queue, user, preview.plan.id)
    with pytest.raises(InvalidInput, match="cannot be set up"):
        await confirm_plan(harness.core, queue, user, preview.plan.id)
    for week in (1, 2, 3, 4):
        clock.advance(timedelta(weeks=1).total_seconds())
        await tick(queue)
        assert await harness.count("orders") == min(week, 3)
    [done] = await user_plans(harness.core, user, (PlanStatus.DONE,))
    assert (done.id, done.runs_done, done.next_due_at) == (plan.id, 3, None)
    _, notices = await orders_and_notices(harness)
    assert sum("🔁 Plan #" in text for text in notices) == 3


async def test_runs_missed_while_down_run_once_and_the_rest_are_told_skipped(
    harness: Harness, clock: ManualClock
) -> None:
    user, queue, _ = await confirmed_weekly_plan(harness)
    clock.advance(timedelta(weeks=3, hours=1).total_seconds())  # everything was down for three Mondays
    await tick(queue)
    orders, notices = await orders_and_notices(harness)
    assert orders == 1
    assert any("2 run(s) were missed" in text for text in notices)
    [plan] = await user_plans(harness.core, user)
    assert plan.runs_done == 3 and plan.next_due_at == MONDAY_9 + timedelta(weeks=4)
    async with harness.core.uow(read_only=True) as uow:
        [run] = await uow.plans.runs(plan.id)
    assert (run.due_at, run.skipped, run.status) == (MONDAY_9 + timedelta(weeks=3), 2, RunStatus.PLACED)


async def test_one_due_time_reached_twice_at_once_places_one_order(
    harness: Harness, clock: ManualClock
) -> None:
    _, _, plan_id = await confirmed_weekly_plan(harness)
    clock.advance(timedelta(weeks=1).total_seconds())
    due = MONDAY_9 + timedelta(weeks=1)
    outcomes = await asyncio.gather(*(run_plan(harness.core, plan_id, due, RUN_TEXTS) for _ in range(3)))
    assert sorted(outcomes).count("placed") >= 1 and await harness.count("orders") == 1
    assert await harness.count("plan_runs") == 1
    _, notices = await orders_and_notices(harness)
    assert len(notices) == 1


async def test_a_run_whose_process_died_mid_order_is_carried_on_once(
    harness: Harness, clock: ManualClock
) -> None:
    _, _, plan_id = await confirmed_weekly_plan(harness)
    clock.advance(timedelta(weeks=1).total_seconds())
    due = MONDAY_9 + timedelta(weeks=1)
    dying = replace(harness.core, exchanges=FailingExchanges(harness, ProcessDied, after_sending=False))
    with pytest.raises(ProcessDied):
        await run_plan(dying, plan_id, due, RUN_TEXTS)
    assert await run_plan(harness.core, plan_id, due, RUN_TEXTS) == "placed"
    assert await run_plan(harness.core, plan_id, due, RUN_TEXTS) == "placed"
    assert await harness.count("orders") == 1


async def test_a_run_over_the_risk_limits_is_told_and_the_plan_goes_on(
    harness: Harness, clock: ManualClock
) -> None:
    user, queue, _ = await confirmed_weekly_plan(harness)
    async with harness.core.uow() as uow:  # the trader's own limit, lowered after the set-up
        await uow.risk_settings.save(user, RiskOverrides(max_order_value=Decimal(10)), clock.now())
        await uow.commit()
    clock.advance(timedelta(weeks=1).total_seconds())
    await tick(queue)
    orders, notices = await orders_and_notices(harness)
    assert orders == 0 and any("was not placed" in text for text in notices)
    [plan] = await user_plans(harness.core, user)
    assert plan.status is PlanStatus.ACTIVE and plan.runs_done == 1


async def test_paused_plans_skip_their_time_and_stopped_ones_never_run(
    harness: Harness, clock: ManualClock
) -> None:
    user, queue, plan_id = await confirmed_weekly_plan(harness)
    await pause_plan(harness.core, user, plan_id)
    clock.advance(timedelta(weeks=2).total_seconds())
    await tick(queue)
    assert await harness.count("orders") == 0
    resumed = await resume_plan(harness.core, queue, user, plan_id)
    assert resumed.next_due_at == MONDAY_9 + timedelta(weeks=3)
    await stop_plan(harness.core, user, plan_id)
    clock.advance(timedelta(weeks=1).total_seconds())
    await tick(queue)
    assert await harness.count("orders") == 0
    with pytest.raises(InvalidInput, match="stopped"):
        await resume_plan(harness.core, queue, user, plan_id)


async def test_a_twap_sells_in_slices_and_stops_on_the_word(harness: Harness, clock: ManualClock) -> None:
    user, _ = await harness.user()
    queue = queue_for(harness)
    await harness.placed(user, OrderIntent("ETH", Side.BUY, Decimal("0.5")))
    request = twap_request(Side.SELL, "ETH", Decimal("0.2"), AmountUnit.BASE, timedelta(minutes=4))
    preview = await propose_plan(harness.core, user, request)
    assert (preview.plan.runs, preview.plan.amount) == (4, Decimal("0.05"))
    await confirm_plan(harness.core, queue, user, preview.plan.id)
    await queue.run_due()  # the first slice goes at once
    await queue.run_due()
    clock.advance(60)
    await tick(queue)
    assert await harness.count("orders") == 3  # the buy, then two slices
    await stop_plan(harness.core, user, preview.plan.id)
    clock.advance(180)
    await tick(queue)
    assert await harness.count("orders") == 3
