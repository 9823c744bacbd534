"""Automations over the API: set up (previewed, then confirmed), listed, paused, resumed, stopped, and their
runs; on the same use cases as the chat. A rebalance on a schedule or past a drift is set up at /rebalance."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from trading.domain.automations import Plan, PlanKind, PlanRun, Schedule
from trading.domain.enums import AmountUnit, Side
from trading.domain.errors import InvalidInput
from trading.usecases.automations import (
    PlanPreview,
    PlanRequest,
    confirm_plan,
    pause_plan,
    plan_runs,
    propose_plan,
    resume_plan,
    stop_plan,
    twap_request,
    user_plans,
)
from trading.usecases.rebalance_plans import propose_rebalance_plan, rebalance_terms
from webapp.auth import Principal, can_trade
from webapp.context import WebContext
from webapp.controllers.rebalance import RebalancePreviewOut, Shares, preview_out, upper
from webapp.schemas import AccountId, Amount, RowId, Symbol, positive

AuthRequest = Request[Principal, object, State]
Hour = Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="UTC, HH:MM")]
Every = Literal["hour", "day", "week", "month"]
Interval = Annotated[int, msgspec.Meta(ge=1, le=365)]
Weekday = Annotated[int, msgspec.Meta(ge=0, le=6, description="0 = Monday")]
Runs = Annotated[int, msgspec.Meta(ge=1, le=1000)]


class AutomationIn(msgspec.Struct, forbid_unknown_fields=True):
    """A recurring order (`every`) or a TWAP (`over_minutes`: `amount` is then the whole, in slices)."""

    side: Literal["buy", "sell"]
    symbol: Symbol
    amount: Amount
    unit: Literal["base", "quote"] = "base"
    every: Every | None = None
    interval: Interval = 1
    weekday: Weekday | None = None
    at: Hour | None = None
    runs: Runs | None = None
    over_minutes: Annotated[int, msgspec.Meta(ge=2, le=10_080)] | None = None

    def __post_init__(self) -> None:
        positive("amount", self.amount)
        if (self.every is None) == (self.over_minutes is None):
            raise ValueError("give either `every` (a recurring order) or `over_minutes` (a TWAP)")


class RebalanceAutomationIn(msgspec.Struct, forbid_unknown_fields=True):
    """A rebalance to `shares` (as at /rebalance) at each due time of `every`, or, with `drift` (percentage
    points), only when some asset's share is more than that from its target: checked on `every`, or hourly."""

    shares: Shares
    every: Every | None = None
    interval: Interval = 1
    weekday: Weekday | None = None
    at: Hour | None = None
    drift: (
        Annotated[Decimal, msgspec.Meta(description="Percentage points, above 0 and below 100.")] | None
    ) = None
    runs: Runs | None = None
    account_id: AccountId | None = None

    def __post_init__(self) -> None:
        positive("drift", self.drift)
        if self.every is None and self.drift is None:
            raise ValueError("give `every` (a schedule), `drift` (a threshold in percentage points) or both")


class AutomationOut(msgspec.Struct):
    id: int
    description: str  # "buy 50 USDT of ETH every Monday at 09:00 UTC"
    kind: str
    side: str
    symbol: str
    amount: Decimal
    unit: str
    schedule: str
    runs: int | None
    runs_done: int
    status: str
    next_due_at: datetime | None
    shares: dict[str, Decimal] | None = None  # a rebalance's targets, in percent
    drift: Decimal | None = None  # a rebalance's threshold, in percentage points


class AutomationPreviewOut(msgspec.Struct):
    automation: AutomationOut
    price: Decimal
    quantity_now: Decimal
    fee: Decimal
    first_due_at: datetime
    last_due_at: datetime | None
    total: Decimal | None


class RebalanceAutomationPreviewOut(msgspec.Struct):
    automation: AutomationOut
    trades_now: RebalancePreviewOut  # what a run would trade now
    drift_now: Decimal  # percentage points from the targets, now
    first_due_at: datetime


class RunOut(msgspec.Struct):
    due_at: datetime
    status: str
    skipped: int
    order_id: int | None
    error: str | None


def describe(plan: Plan) -> str:
    if plan.kind is PlanKind.REPORT:
        return f"report: {plan.symbol} {plan.schedule.describe()}"
    if plan.kind is PlanKind.REBALANCE:
        return f"rebalance {rebalance_terms(plan)}"
    base, quote = plan.symbol.split("/", 1)
    each = f"{plan.amount.normalize():f}"
    what = f"{each} {quote} of {base}" if plan.unit is AmountUnit.QUOTE else f"{each} {base}"
    return f"{plan.side.value} {what} {plan.schedule.describe()}"


def _out(plan: Plan) -> AutomationOut:
    return AutomationOut(
        plan.id,
        describe(plan),
        plan.kind.value,
        plan.side.value,
        plan.symbol,
        plan.amount,
        plan.unit.value,
        plan.schedule.describe(),
        plan.runs,
        plan.runs_done,
        plan.status.value,
        plan.next_due_at,
        dict(plan.shares) or None,
        plan.drift,
    )


def _preview_out(preview: PlanPreview) -> AutomationPreviewOut:
    p = preview.sample.preview
    return AutomationPreviewOut(
        _out(preview.plan), p.price, p.quantity, p.fee, preview.first_due, preview.last_due, preview.total
    )


def _run_out(run: PlanRun) -> RunOut:
    return RunOut(run.due_at, run.status.value, run.skipped, run.order_id, run.error)


def request_of(data: AutomationIn) -> PlanRequest:
    side, unit = Side(data.side), AmountUnit(data.unit)
    if data.over_minutes is not None:
        return twap_request(side, data.symbol, data.amount, unit, timedelta(minutes=data.over_minutes))
    if data.every is None:
        raise InvalidInput("Give either `every` or `over_minutes`.")
    schedule = schedule_of(data.every, data.interval, data.weekday, data.at)
    return PlanRequest(PlanKind.RECURRING, side, data.symbol, data.amount, unit, schedule, data.runs)


def schedule_of(every: Every, interval: int, weekday: int | None, at: str | None) -> Schedule:
    """A weekday named makes it weekly."""
    return Schedule(
        "week" if weekday is not None else every, interval, weekday, time.fromisoformat(at) if at else None
    )


async def _propose_rebalance(
    web: WebContext, user_id: int, data: RebalanceAutomationIn
) -> RebalanceAutomationPreviewOut:
    schedule = None if data.every is None else schedule_of(data.every, data.interval, data.weekday, data.at)
    preview = await propose_rebalance_plan(
        web.core, user_id, upper(data.shares), schedule, data.drift, data.runs, data.account_id
    )
    return RebalanceAutomationPreviewOut(
        _out(preview.plan), preview_out(preview.now), preview.drift_now, preview.first_due
    )


class AutomationsController(Controller):
    path = "/automations"
    tags = ("automations",)

    @get(summary="Active and paused automations")
    async def list_automations(self, state: State, request: AuthRequest) -> list[AutomationOut]:
        web: WebContext = state.web
        return [_out(p) for p in await user_plans(web.core, request.user.user_id)]

    @post(guards=[can_trade], status_code=HTTP_201_CREATED, summary="Preview an automation (confirm it next)")
    async def propose(
        self, state: State, request: AuthRequest, data: JSONBody[AutomationIn]
    ) -> AutomationPreviewOut:
        web: WebContext = state.web
        return _preview_out(await propose_plan(web.core, request.user.user_id, request_of(data)))

    @post(
        "/rebalance",
        guards=[can_trade],
        status_code=HTTP_201_CREATED,
        summary="Preview a rebalance on a schedule or past a drift (confirm it next)",
        description="Answers the trades a run would make now and the drift now; nothing is placed before the "
        "automation is confirmed. Each run then plans the trades at that moment's prices and places them through "
        "the normal order path, within the user's risk limits.",
    )
    async def propose_rebalance(
        self, state: State, request: AuthRequest, data: JSONBody[RebalanceAutomationIn]
    ) -> RebalanceAutomationPreviewOut:
        return await _propose_rebalance(state.web, request.user.user_id, data)

    @post(
        "/{plan_id:int}/{action:str}",
        guards=[can_trade],
        status_code=HTTP_200_OK,
        summary="confirm, pause, resume or stop",
    )
    async def act(
        self,
        state: State,
        request: AuthRequest,
        plan_id: RowId,
        action: Annotated[str, Parameter(pattern="^(confirm|pause|resume|stop)$")],
    ) -> AutomationOut:
        web: WebContext = state.web
        user = request.user.user_id
        if action == "confirm":
            return _out(await confirm_plan(web.core, web.jobs, user, plan_id))
        if action == "pause":
            return _out(await pause_plan(web.core, user, plan_id))
        if action == "resume":
            return _out(await resume_plan(web.core, web.jobs, user, plan_id))
        return _out(await stop_plan(web.core, user, plan_id))

    @get("/{plan_id:int}/runs", summary="An automation's runs, with their orders or why not placed")
    async def runs(self, state: State, request: AuthRequest, plan_id: RowId) -> list[RunOut]:
        web: WebContext = state.web
        return [_run_out(run) for run in await plan_runs(web.core, request.user.user_id, plan_id)]
