"""Rebalancing as an automation: "rebalance to 50% btc 50% eth every monday" (at each due time) or "... when
drift over 5%" (checked at each due time, hourly unless a schedule is named, and traded only where some asset's
share is more than that many points from its target). Previewed once when set up (the trades it would make
now, the drift now, the schedule); each run then goes through the plan-run machinery (recorded once per due
time) and places its trades through the normal order path under the user's risk limits.

One attempt trades a run (it claims the run first); and a rebalance converges: planned from what the account
holds at that moment, so the attempt that takes over from one that died after some of its trades makes only
the trades still wanting, never the same ones again."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from trading.domain.automations import Plan, PlanKind, PlanRun, PlanStatus, RunStatus, Schedule
from trading.domain.channels import EventKind
from trading.domain.enums import AmountUnit, OrderStatus, Side
from trading.domain.errors import InvalidInput, NotFound
from trading.domain.rebalance import RebalancePlan, drift
from trading.usecases.automations import MAX_RUNS
from trading.usecases.core import Core, account_of
from trading.usecases.notices import add_notices
from trading.usecases.rebalancing import TradeOutcome, check_shares, place_rebalance, preview_rebalance

# A drift is checked this often unless a schedule is named: hourly through the plan runs, not on each price
# tick, since each check reads the account's balances from the venue (a call a ccxt venue rate-limits).
DRIFT_CHECK = Schedule("hour")
SYMBOL = "rebalance"  # what a rebalance plan keeps in `symbol`: it has no one market


@dataclass(frozen=True, slots=True)
class RebalancePlanPreview:
    plan: Plan
    now: RebalancePlan  # the trades a run would make now
    drift_now: Decimal  # points from the targets, now
    first_due: datetime


@dataclass(frozen=True, slots=True)
class RebalanceRun:
    """What a run did: the drift it found, and each trade placed or refused (none: nothing to do)."""

    drift: Decimal
    outcomes: tuple[TradeOutcome, ...]
    left_out: tuple[tuple[str, str], ...]
    error: str | None = None  # the rebalance could not be planned at all


async def propose_rebalance_plan(
    core: Core,
    user_id: int,
    targets: Mapping[str, Decimal],
    schedule: Schedule | None,
    threshold: Decimal | None,
    runs: int | None = None,
    account_id: int | None = None,
) -> RebalancePlanPreview:
    """Kept pending its Confirm, like any plan; `schedule` None: a drift plan checked hourly."""
    check_shares(targets)
    if schedule is None and threshold is None:
        raise InvalidInput("Say when to rebalance: 'every monday', 'every month' or 'when drift over 5%'.")
    if threshold is not None and not (threshold.is_finite() and 0 < threshold < 100):
        raise InvalidInput("The drift threshold is in percentage points, above 0 and below 100, e.g. 5%.")
    if runs is not None and not 0 < runs <= MAX_RUNS:
        raise InvalidInput(f"A plan runs between 1 and {MAX_RUNS} times.")
    schedule = schedule or DRIFT_CHECK
    now_plan = await preview_rebalance(core, user_id, targets, account_id)
    now = core.clock.now()
    async with core.uow() as uow:
        account = await account_of(uow, user_id, account_id)
        plan = Plan(
            0, user_id, PlanKind.REBALANCE, Side.BUY, SYMBOL, Decimal(0), AmountUnit.BASE, schedule, runs, 0,
            None, PlanStatus.PENDING, now, account.id, core.config.paper_quote, tuple(targets.items()), threshold,
        )  # fmt: skip
        plan = await uow.plans.add(plan)
        await uow.commit()
    return RebalancePlanPreview(plan, now_plan, drift(now_plan.current, targets), schedule.first_due(now))


async def run_rebalance(
    core: Core,
    plan: Plan,
    run: PlanRun,
    told: Callable[[Plan, PlanRun, RebalanceRun], str],
    lease: timedelta,
) -> str:
    """One run: past the threshold (or at each due time without one), the trades planned now and placed; how
    it ended. A drift plan within its threshold ends idle and says nothing. Its several trades are made by
    the one attempt that claims the run; a claim older than `lease` (a run job's timeout) is a dead attempt's,
    and is taken over."""
    now = core.clock.now()
    async with core.uow() as uow:
        claimed = await uow.plans.claim_run(run.id, now, now - lease)
        await uow.commit()
    if not claimed:
        return "claimed"  # another attempt is trading it, or it ended meanwhile
    try:
        return await _rebalance(core, plan, run, told)
    except Exception:  # failed, not dead: the queue's retry may take the run at once
        async with core.uow() as uow:
            await uow.plans.release_run(run.id)
            await uow.commit()
        raise


async def _rebalance(
    core: Core, plan: Plan, run: PlanRun, told: Callable[[Plan, PlanRun, RebalanceRun], str]
) -> str:
    targets = dict(plan.shares)
    try:
        now_plan = await preview_rebalance(core, plan.user_id, targets, plan.account_id)
    # A coin no longer traded, the account gone: told, not retried (the venue away is retried).
    except (InvalidInput, NotFound) as refused:
        done = RebalanceRun(Decimal(0), (), (), str(refused))
        return await _finish(core, plan, run, RunStatus.FAILED, done, told)
    gap = drift(now_plan.current, targets)
    if plan.drift is not None and gap <= plan.drift:
        return await _finish(core, plan, run, RunStatus.IDLE, None, told)
    outcomes = await place_rebalance(core, plan.user_id, now_plan, plan.account_id)
    done = RebalanceRun(gap, tuple(outcomes), now_plan.left_out)
    placed = [o for o in outcomes if o.order is not None and o.order.status is not OrderStatus.REJECTED]
    status = RunStatus.PLACED if placed else RunStatus.FAILED if outcomes else RunStatus.IDLE
    return await _finish(core, plan, run, status, done, told)


async def _finish(
    core: Core,
    plan: Plan,
    run: PlanRun,
    status: RunStatus,
    done: RebalanceRun | None,
    told: Callable[[Plan, PlanRun, RebalanceRun], str],
) -> str:
    """The run's outcome and its notice (None: nothing to tell), in one transaction, once."""
    orders = [o.order for o in done.outcomes if o.order is not None] if done else []
    error = None
    if status is RunStatus.FAILED and done is not None:
        error = done.error or "; ".join(map(_why_not, done.outcomes))
    async with core.uow() as uow:
        if await uow.plans.finish_run(run.id, status, orders[0].id if orders else None, error) and done:
            await add_notices(
                uow, [(plan.user_id, told(plan, run, done))], core.clock.now(), EventKind.AUTOMATIONS
            )
        await uow.commit()
    return status.value


def _why_not(outcome: TradeOutcome) -> str:
    why = outcome.error or (outcome.order.error if outcome.order is not None else None) or "not placed"
    return f"{outcome.trade.side.value} {outcome.trade.symbol}: {why}"


def rebalance_terms(plan: Plan) -> str:
    """ "to BTC 50%, ETH 50% every Monday", or "... when drift over 5 points (checked every hour)"."""
    shares = ", ".join(f"{asset} {share.normalize():f}%" for asset, share in plan.shares)
    if plan.drift is None:
        return f"to {shares} {plan.schedule.describe()}"
    return (
        f"to {shares} when drift over {plan.drift.normalize():f} points (checked {plan.schedule.describe()})"
    )
