"""Setting up automations: a plan is previewed once (each run's order priced and risk-checked as it would be
now, the schedule, the total, the end), kept pending, and runs only once its Confirm is tapped (compare-and-set
pending -> active, so a double tap sets up one plan). Listed, paused, resumed and stopped by its user."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from trading.domain.automations import Plan, PlanKind, PlanRun, PlanStatus, Schedule
from trading.domain.enums import AmountUnit, Side
from trading.domain.errors import InvalidInput, NotFound
from trading.domain.intents import OrderIntent
from trading.domain.orders import OrderDraft
from trading.ports.jobs import JobQueue
from trading.usecases.core import Core, account_of
from trading.usecases.drafting import draft_order
from trading.usecases.execution import cancel_draft

# A plan's runs at most, and a TWAP's slices at most: beyond, the preview cannot be read at a glance.
MAX_RUNS = 1000
MAX_SLICES = 100
# A TWAP's slices are this far apart, or more where the span is long.
SLICE_AT_LEAST = timedelta(minutes=1)
DUE_JOB = "automations_due"
LIVE = (PlanStatus.PENDING, PlanStatus.ACTIVE, PlanStatus.PAUSED)


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """What the trader asked: each run's order (`amount` in `unit`) and when; a TWAP's `amount` is the whole."""

    kind: PlanKind
    side: Side
    symbol: str
    amount: Decimal
    unit: AmountUnit
    schedule: Schedule
    runs: int | None = None
    quote: str | None = None
    account_id: int | None = None


@dataclass(frozen=True, slots=True)
class PlanPreview:
    plan: Plan
    sample: OrderDraft  # one run's order as priced now
    first_due: datetime
    last_due: datetime | None  # None: until stopped

    @property
    def total(self) -> Decimal | None:
        """What all the runs order, in the plan's unit."""
        return None if self.plan.runs is None else self.plan.amount * self.plan.runs


def twap_request(
    side: Side, symbol: str, amount: Decimal, unit: AmountUnit, span: timedelta, quote: str | None = None
) -> PlanRequest:
    """`amount` spread over `span` in equal slices, one a minute or, for a long span, up to MAX_SLICES."""
    if span < SLICE_AT_LEAST * 2:
        raise InvalidInput("A spread order needs a span of at least two minutes, e.g. 'over 2 hours'.")
    slices = min(int(span / SLICE_AT_LEAST), MAX_SLICES)
    step = span / slices
    each = amount / slices
    return PlanRequest(PlanKind.TWAP, side, symbol, each, unit, Schedule("step", step=step), slices, quote)


async def propose_plan(core: Core, user_id: int, request: PlanRequest) -> PlanPreview:
    """Price one run's order now (so that what cannot be placed is said at once: an unknown market, below the
    minimum, over a risk limit), then keep the plan pending its Confirm. Nothing runs before that."""
    if request.amount <= 0:
        raise InvalidInput("Each run's amount must be above zero.")
    if request.runs is not None and not 0 < request.runs <= MAX_RUNS:
        raise InvalidInput(f"A plan runs between 1 and {MAX_RUNS} times.")
    if request.unit is AmountUnit.PERCENT:
        raise InvalidInput("A plan orders an amount of a coin or of money each time, not a percentage.")
    intent = OrderIntent(request.symbol, request.side, request.amount, request.unit, quote=request.quote)
    sample = await draft_order(core, user_id, intent, request.account_id)
    await cancel_draft(core, user_id, sample.id)  # the preview's sample is never confirmed
    now = core.clock.now()
    plan = Plan(
        0,
        user_id,
        request.kind,
        request.side,
        sample.symbol,
        request.amount,
        request.unit,
        request.schedule,
        request.runs,
        0,
        None,
        PlanStatus.PENDING,
        now,
        sample.account_id,
        request.quote,
    )
    async with core.uow() as uow:
        plan = await uow.plans.add(plan)
        await uow.commit()
    first = request.schedule.first_due(now)
    return PlanPreview(plan, sample, first, last_due(request.schedule, first, request.runs))


async def propose_report(core: Core, user_id: int, report: str, schedule: Schedule) -> Plan:
    """A report on a schedule, kept pending its Confirm as a plan that orders nothing."""
    async with core.uow() as uow:
        account = await account_of(uow, user_id, None)
        now = core.clock.now()
        plan = Plan(
            0, user_id, PlanKind.REPORT, Side.BUY, report, Decimal(0), AmountUnit.BASE, schedule, None, 0,
            None, PlanStatus.PENDING, now, account.id,
        )  # fmt: skip
        plan = await uow.plans.add(plan)
        await uow.commit()
    return plan


def last_due(schedule: Schedule, first: datetime, runs: int | None) -> datetime | None:
    if runs is None:
        return None
    due = first
    for _ in range(runs - 1):
        due = schedule.after(due)
    return due


async def confirm_plan(core: Core, jobs: JobQueue | None, user_id: int, plan_id: int) -> Plan:
    """Pending -> active, once; its first run is due from now (a plan confirmed late starts late). `jobs`: a
    run due now is queued at once; without a queue (a web worker), the periodic tick finds it."""
    now = core.clock.now()
    async with core.uow() as uow:
        if not await uow.plans.set_status(plan_id, user_id, [PlanStatus.PENDING], PlanStatus.ACTIVE):
            raise await _why_not(core, user_id, plan_id, "set up")
        plan = await uow.plans.get(plan_id)
        assert plan is not None
        plan = replace(plan, next_due_at=plan.schedule.first_due(now))
        await uow.plans.set_next_due(plan.id, plan.next_due_at)
        await uow.commit()
    await _wake(jobs, plan.id)
    return plan


async def _wake(jobs: JobQueue | None, plan_id: int) -> None:
    """A run due now goes without waiting for the periodic tick."""
    if jobs is not None:
        await jobs.enqueue(DUE_JOB, f"{DUE_JOB}:{plan_id}")


async def plan_runs(core: Core, user_id: int, plan_id: int) -> list[PlanRun]:
    async with core.uow(read_only=True) as uow:
        plan = await uow.plans.get(plan_id)
        if plan is None or plan.user_id != user_id:
            raise NotFound("That automation was not found.")
        return list(await uow.plans.runs(plan_id))


async def user_plans(core: Core, user_id: int, statuses: tuple[PlanStatus, ...] = LIVE[1:]) -> list[Plan]:
    async with core.uow(read_only=True) as uow:
        return list(await uow.plans.for_user(user_id, statuses))


async def pause_plan(core: Core, user_id: int, plan_id: int) -> Plan:
    return await _move(core, user_id, plan_id, [PlanStatus.ACTIVE], PlanStatus.PAUSED, "paused")


async def stop_plan(core: Core, user_id: int, plan_id: int) -> Plan:
    return await _move(core, user_id, plan_id, list(LIVE), PlanStatus.STOPPED, "stopped")


async def resume_plan(core: Core, jobs: JobQueue | None, user_id: int, plan_id: int) -> Plan:
    """Paused -> active; the due times that passed while paused are passed over, not caught up."""
    plan = await _move(core, user_id, plan_id, [PlanStatus.PAUSED], PlanStatus.ACTIVE, "resumed")
    now = core.clock.now()
    due = plan.next_due_at or plan.schedule.first_due(now)
    while due <= now:  # one due at this very moment came while paused too
        due = plan.schedule.after(due)
    async with core.uow() as uow:
        await uow.plans.set_next_due(plan.id, due)
        await uow.commit()
    await _wake(jobs, plan.id)
    return replace(plan, next_due_at=due)


async def _move(
    core: Core, user_id: int, plan_id: int, from_statuses: list[PlanStatus], to: PlanStatus, done: str
) -> Plan:
    async with core.uow() as uow:
        if not await uow.plans.set_status(plan_id, user_id, from_statuses, to):
            raise await _why_not(core, user_id, plan_id, done)
        plan = await uow.plans.get(plan_id)
        await uow.commit()
    assert plan is not None
    return plan


async def _why_not(core: Core, user_id: int, plan_id: int, done: str) -> Exception:
    async with core.uow(read_only=True) as uow:
        plan = await uow.plans.get(plan_id)
    if plan is None or plan.user_id != user_id:
        return NotFound("That automation was not found.")
    return InvalidInput(f"{plan.label} is {plan.status.value}: it cannot be {done} now.")
