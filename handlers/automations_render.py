"""What the chat shows of automations: a plan's preview (each run, the schedule, the total, the end; a TWAP's
slices; a rebalance's trades now), its list, and the notices of its runs."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from handlers.rebalance import outcome_line, trade_lines
from handlers.render import amount, money, order_result, pnl_text, portfolio_text
from trading.domain.automations import Plan, PlanKind, PlanRun
from trading.domain.enums import AmountUnit
from trading.domain.orders import Order
from trading.ports.jobs import QueueStatus
from trading.usecases.automations import PlanPreview
from trading.usecases.core import Core
from trading.usecases.plan_runs import RunTexts
from trading.usecases.portfolio import pnl_by_day, portfolio
from trading.usecases.rebalance_plans import RebalancePlanPreview, RebalanceRun, rebalance_terms

WHEN = "%a %d %b %H:%M UTC"


def each_run(plan: Plan, value: Decimal | None = None) -> str:
    """ "50 USDT of BTC" or "0.01 BTC"."""
    base, quote = plan.symbol.split("/", 1)
    value = plan.amount if value is None else value
    if plan.unit is AmountUnit.QUOTE:
        return f"{amount(value)} {quote} of {base}"
    return f"{amount(value)} {base}"


def plan_preview(preview: PlanPreview) -> str:
    plan, sample = preview.plan, preview.sample
    quote = plan.symbol.split("/", 1)[1]
    verb = plan.side.value.capitalize()
    now_cost = f"now about {amount(sample.preview.quantity)} at {money(sample.preview.price)} {quote}"
    if plan.kind is PlanKind.TWAP:
        assert plan.runs is not None and preview.last_due is not None
        lines = [
            f"📝 TWAP: {verb.lower()} {each_run(plan, preview.total)} in {plan.runs} slices"
            f" {plan.schedule.describe()}",
            f"Each slice: {each_run(plan)} ({now_cost}, fee ~{money(sample.preview.fee)})",
            f"From {preview.first_due:{WHEN}} to {preview.last_due:{WHEN}}",
        ]
    else:
        lines = [
            f"📝 {verb} {each_run(plan)} {plan.schedule.describe()}",
            f"Each run: {now_cost}, fee ~{money(sample.preview.fee)}",
            f"First run: {preview.first_due:{WHEN}}",
            f"Runs: {plan.runs}, in all {each_run(plan, preview.total)}; last {preview.last_due:{WHEN}}"
            if plan.runs is not None and preview.last_due is not None
            else "Runs: until you stop it",
        ]
    lines.append("Each run is placed at the market price then, within your risk limits, and told to you.")
    return "\n".join(lines)


def plan_line(plan: Plan) -> str:
    if plan.kind is PlanKind.REPORT:
        return f"{plan.label}: {plan.symbol} {plan.schedule.describe()} — {plan.status.value}"
    runs = f"{plan.runs_done}/{plan.runs}" if plan.runs is not None else f"{plan.runs_done}"
    if plan.kind is PlanKind.REBALANCE:
        return f"{plan.label}: rebalance {rebalance_terms(plan)} — {plan.status.value}, runs {runs}"
    due = f", next {plan.next_due_at:{WHEN}}" if plan.next_due_at and plan.status.value == "active" else ""
    return (
        f"{plan.label}: {plan.side.value} {each_run(plan)} {plan.schedule.describe()}"
        f" — {plan.status.value}, runs {runs}{due}"
    )


def plans_text(plans: Sequence[Plan]) -> str:
    if not plans:
        return "You have no automations. Try 'buy 50 usdt of btc every monday' or 'sell 1 eth over 2 hours'."
    return "\n".join(["Your automations:", *(plan_line(p) for p in plans)])


def run_placed(plan: Plan, run: PlanRun, order: Order) -> str:
    return f"🔁 {plan.label}, run due {run.due_at:{WHEN}}: {order_result(order).removeprefix('✅ ')}"


def run_failed(plan: Plan, run: PlanRun, reason: str) -> str:
    return f"⚠️ {plan.label}: the run due {run.due_at:{WHEN}} was not placed: {reason}"


def runs_skipped(plan: Plan, dues: Sequence[datetime]) -> str:
    listed = ", ".join(f"{due:{WHEN}}" for due in dues[:5]) + (" …" if len(dues) > 5 else "")
    return (
        f"⏭ {plan.label}: {len(dues)} run(s) were missed while the bot was down and are skipped, not caught"
        f" up: {listed}. Only the latest runs now."
    )


async def report_text(core: Core, plan: Plan) -> str:
    """A scheduled report: the P&L of the last week by day, or the portfolio with it."""
    view = await portfolio(core, plan.user_id, plan.account_id)
    pnl = pnl_text(await pnl_by_day(core, plan.user_id, 7), view)
    if plan.symbol == "pnl":
        return f"📊 {plan.label}\n{pnl}"
    return f"📊 {plan.label}: your week\n{portfolio_text(view)}\n{pnl}"


def report_preview(plan: Plan) -> str:
    what = "your P&L" if plan.symbol == "pnl" else "a summary of your portfolio and P&L"
    return f"📝 {plan.label}: {what}, {plan.schedule.describe()}. Until you stop it ('stop plan {plan.id}')."


def rebalance_preview(preview: RebalancePlanPreview) -> str:
    plan, now = preview.plan, preview.now
    shares = ", ".join(f"{asset} {share:.1f}%" for asset, share in sorted(now.current.items()))
    first = "First check" if plan.drift is not None else "First run"
    lines = [
        f"📝 {plan.label}: rebalance {money(now.equity)} {plan.quote} {rebalance_terms(plan)}",
        f"Now: {shares or 'nothing'}, {preview.drift_now:.1f} points from the targets.",
        *(["A run now would:", *trade_lines(now)] if now.trades else ["A run now would have nothing to do."]),
        f"{first}: {preview.first_due:{WHEN}}. Runs: {plan.runs or 'until you stop it'} ('stop plan {plan.id}').",
        "Each run plans the trades at the prices then, places them within your risk limits, and tells you.",
    ]
    return "\n".join(lines)


def run_rebalanced(plan: Plan, run: PlanRun, done: RebalanceRun) -> str:
    head = f"⚖️ {plan.label}, run due {run.due_at:{WHEN}}"
    if done.error is not None:
        return f"⚠️ {head}: not rebalanced: {done.error}"
    if not done.outcomes:
        return f"{head}: already within tolerance ({done.drift:.1f} points off): nothing traded."
    lines = [f"{head}: {done.drift:.1f} points off, rebalanced:", *map(outcome_line, done.outcomes)]
    return "\n".join(lines + [f"• {asset} left out: {why}" for asset, why in done.left_out])


def queue_status_text(status: QueueStatus) -> str:
    """The job queue for the operator (`tsbot jobs`, /jobs)."""
    lines = [
        f"queue {status.name}: {status.queued} queued, {status.active} active, {status.scheduled} scheduled;"
        f" {status.workers} worker(s); {status.complete} complete, {status.failed} failed,"
        f" {status.retried} retried",
    ]
    for job in status.jobs:
        due = f" due {job.due_at:%Y-%m-%d %H:%M:%S}" if job.due_at else ""
        lines.append(
            f"  {job.key}  {job.function}  {job.state.value}  attempt {job.attempts}  {job.progress:.0%}{due}"
        )
    return "\n".join(lines)


RUN_TEXTS = RunTexts(run_placed, run_failed, runs_skipped, report_text, run_rebalanced)
