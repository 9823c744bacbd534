"""Running automations: a tick enqueues each due plan's run under the key `plan:<id>:<due time>`, and the run
places one order through the normal path (drafted under the user's risk limits, confirmed by compare-and-set).

Once across workers, retries and restarts: the run is recorded under a unique (plan, due time), in the
transaction that moves the plan on, BEFORE anything is drafted; its draft is written onto it by compare-and-set
before it is confirmed, so an attempt that died anywhere is carried on by the next from where it stopped and
the draft's own compare-and-set places it once. Due times missed while everything was down are passed over,
and only the latest is run, the user told what was skipped; its outcome is told by a notice written with it."""

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from trading.domain.automations import SUMMARY, Plan, PlanKind, PlanRun, PlanStatus, RunStatus
from trading.domain.channels import EventKind
from trading.domain.enums import OrderStatus
from trading.domain.errors import DraftAlreadyUsed, TradingError
from trading.domain.intents import OrderIntent
from trading.domain.orders import Order
from trading.ports.jobs import JobKwargs, JobQueue, Retry
from trading.usecases.core import Core
from trading.usecases.drafting import draft_order
from trading.usecases.execution import cancel_draft, confirm_draft
from trading.usecases.notices import add_notices
from trading.usecases.rebalance_plans import RebalanceRun, run_rebalance

log = logging.getLogger(__name__)

RUN_JOB = "run_plan"
# A run that fails for a reason outside trading (the database or the venue away) is tried again; one refused
# (risk, funds, minimums) is told and ends.
RUN_RETRY = Retry(attempts=5, delay=timedelta(seconds=10), max_delay=timedelta(minutes=5))
DUE_PER_TICK = 1000
AUTOMATIONS = EventKind.AUTOMATIONS


@dataclass(frozen=True, slots=True)
class RunTexts:
    """What the user is told, rendered by the chat's side."""

    placed: Callable[[Plan, PlanRun, Order], str]
    failed: Callable[[Plan, PlanRun, str], str]
    skipped: Callable[[Plan, Sequence[datetime]], str]
    report: Callable[[Core, Plan], Awaitable[str]]
    rebalanced: Callable[[Plan, PlanRun, RebalanceRun], str]


def run_key(plan_id: int, due: datetime) -> str:
    return f"plan:{plan_id}:{due:%Y-%m-%dT%H:%M:%S}"


async def enqueue_due(core: Core, jobs: JobQueue, limit: int = DUE_PER_TICK) -> int:
    """Queue the run of every active plan due now, at its latest due time; how many were queued (a run
    already waiting is not queued twice)."""
    now = core.clock.now()
    async with core.uow(read_only=True) as uow:
        plans = await uow.plans.due(now, limit)
    queued = 0
    for plan in plans:
        dues = plan.due_through(now)
        if not dues:
            continue
        kwargs: JobKwargs = {"plan_id": plan.id, "due": dues[-1].isoformat()}
        queued += await jobs.enqueue(RUN_JOB, run_key(plan.id, dues[-1]), kwargs, retry=RUN_RETRY)
    return queued


async def run_plan(core: Core, plan_id: int, due: datetime, texts: RunTexts) -> str:
    """One run; how it ended ('placed', 'failed', or why nothing was done)."""
    recorded = await _record(core, plan_id, due, texts)
    if recorded is None:
        return "not due"
    plan, run = recorded
    if run.status is not RunStatus.PENDING:
        return run.status.value
    if plan.kind is PlanKind.REPORT:
        return await _report(core, plan, run, texts)
    if plan.kind is PlanKind.REBALANCE:
        return await run_rebalance(core, plan, run, texts.rebalanced, RUN_RETRY.timeout)
    return await _place(core, plan, run, texts)


async def _report(core: Core, plan: Plan, run: PlanRun, texts: RunTexts) -> str:
    """A report's run: its text, written as a notice with the run's end, once."""
    told = await texts.report(core, plan)
    async with core.uow() as uow:
        if await uow.plans.finish_run(run.id, RunStatus.PLACED, None, None):
            await add_notices(
                uow,
                [(plan.user_id, told)],
                core.clock.now(),
                EventKind.REPORTS,
                with_chart=plan.symbol == SUMMARY,
            )
        await uow.commit()
    return RunStatus.PLACED.value


async def _record(core: Core, plan_id: int, due: datetime, texts: RunTexts) -> tuple[Plan, PlanRun] | None:
    """The run of this due time: recorded now, with the plan moved past it, or as recorded before."""
    now = core.clock.now()
    async with core.uow() as uow:
        plan = await uow.plans.get(plan_id)
        if plan is None:
            return None
        existing = await uow.plans.run(plan_id, due)
        if existing is not None:
            return plan, existing
        dues = plan.due_through(now)
        if plan.status is not PlanStatus.ACTIVE or due not in dues:
            return None
        skipped = dues.index(due)
        run = await uow.plans.add_run(plan_id, due, skipped, now)
        if run is None or not await uow.plans.advance(_past(plan, due, skipped), plan.next_due_at):
            return None  # another worker recorded it, or the plan was paused or stopped meanwhile
        if skipped:
            await add_notices(uow, [(plan.user_id, texts.skipped(plan, dues[:skipped]))], now, AUTOMATIONS)
        await uow.commit()
    return plan, run


def _past(plan: Plan, due: datetime, skipped: int) -> Plan:
    runs_done = plan.runs_done + skipped + 1
    if plan.runs is not None and runs_done >= plan.runs:
        return replace(plan, runs_done=runs_done, next_due_at=None, status=PlanStatus.DONE)
    return replace(plan, runs_done=runs_done, next_due_at=plan.schedule.after(due))


async def _place(core: Core, plan: Plan, run: PlanRun, texts: RunTexts) -> str:
    draft_id = run.draft_id
    if draft_id is None:
        intent = OrderIntent(plan.symbol, plan.side, plan.amount, plan.unit, quote=plan.quote)
        try:
            draft = await draft_order(core, plan.user_id, intent, plan.account_id)
        except TradingError as refused:
            return await _finish(core, plan, run, None, str(refused), texts)
        draft_id = await _claim_draft(core, plan, run, draft.id)
    try:
        order: Order | None = await confirm_draft(core, plan.user_id, draft_id)
    except DraftAlreadyUsed:  # an attempt before this one confirmed it
        order = await _order_of(core, draft_id)
    except TradingError as refused:
        return await _finish(core, plan, run, await _order_of(core, draft_id), str(refused), texts)
    return await _finish(core, plan, run, order, None, texts)


async def _claim_draft(core: Core, plan: Plan, run: PlanRun, draft_id: str) -> str:
    """The run's one draft: this one, or the one a concurrent attempt wrote first (this one then cancelled)."""
    async with core.uow() as uow:
        won = await uow.plans.set_run_draft(run.id, draft_id)
        await uow.commit()
    if won:
        return draft_id
    await cancel_draft(core, plan.user_id, draft_id)
    async with core.uow(read_only=True) as uow:
        recorded = await uow.plans.run(plan.id, run.due_at)
    assert recorded is not None and recorded.draft_id is not None
    return recorded.draft_id


async def _order_of(core: Core, draft_id: str) -> Order | None:
    async with core.uow(read_only=True) as uow:
        order_id = await uow.plans.order_of_draft(draft_id)
        return None if order_id is None else await uow.orders.get(order_id)


async def _finish(
    core: Core, plan: Plan, run: PlanRun, order: Order | None, error: str | None, texts: RunTexts
) -> str:
    """The run's outcome and its notice, in one transaction, once."""
    failed = order is None or order.status is OrderStatus.REJECTED
    status = RunStatus.FAILED if failed else RunStatus.PLACED
    reason = error or (order.error if order is not None else None) or "it was not placed"
    async with core.uow() as uow:
        if await uow.plans.finish_run(
            run.id, status, order.id if order else None, reason if failed else None
        ):
            told = (
                texts.failed(plan, run, reason) if failed or order is None else texts.placed(plan, run, order)
            )
            await add_notices(uow, [(plan.user_id, told)], core.clock.now(), AUTOMATIONS)
        await uow.commit()
    if failed:
        log.info("%s run of %s not placed: %s", plan.label, run.due_at, reason)
    return status.value
