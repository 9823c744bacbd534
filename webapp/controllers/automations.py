"""Automations over the API: set up (previewed, then confirmed), listed, paused, resumed, stopped, and their
runs; on the same use cases as the chat."""

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
from webapp.auth import Principal, can_trade
from webapp.context import WebContext
from webapp.schemas import Amount, Symbol, positive

Id = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
AuthRequest = Request[Principal, object, State]
Hour = Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="UTC, HH:MM")]


class AutomationIn(msgspec.Struct, forbid_unknown_fields=True):
    """A recurring order (`every`) or a TWAP (`over_minutes`: `amount` is then the whole, in slices)."""

    side: Literal["buy", "sell"]
    symbol: Symbol
    amount: Amount
    unit: Literal["base", "quote"] = "base"
    every: Literal["hour", "day", "week", "month"] | None = None
    interval: Annotated[int, msgspec.Meta(ge=1, le=365)] = 1
    weekday: Annotated[int, msgspec.Meta(ge=0, le=6, description="0 = Monday")] | None = None
    at: Hour | None = None
    runs: Annotated[int, msgspec.Meta(ge=1, le=1000)] | None = None
    over_minutes: Annotated[int, msgspec.Meta(ge=2, le=10_080)] | None = None

    def __post_init__(self) -> None:
        positive("amount", self.amount)
        if (self.every is None) == (self.over_minutes is None):
            raise ValueError("give either `every` (a recurring order) or `over_minutes` (a TWAP)")


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


class AutomationPreviewOut(msgspec.Struct):
    automation: AutomationOut
    price: Decimal
    quantity_now: Decimal
    fee: Decimal
    first_due_at: datetime
    last_due_at: datetime | None
    total: Decimal | None


class RunOut(msgspec.Struct):
    due_at: datetime
    status: str
    skipped: int
    order_id: int | None
    error: str | None


def describe(plan: Plan) -> str:
    if plan.kind is PlanKind.REPORT:
        return f"report: {plan.symbol} {plan.schedule.describe()}"
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
    at = time.fromisoformat(data.at) if data.at else None
    every = "week" if data.weekday is not None else data.every
    schedule = Schedule(every, data.interval, data.weekday, at)
    return PlanRequest(PlanKind.RECURRING, side, data.symbol, data.amount, unit, schedule, data.runs)


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
        "/{plan_id:int}/{action:str}",
        guards=[can_trade],
        status_code=HTTP_200_OK,
        summary="confirm, pause, resume or stop",
    )
    async def act(
        self,
        state: State,
        request: AuthRequest,
        plan_id: Id,
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
    async def runs(self, state: State, request: AuthRequest, plan_id: Id) -> list[RunOut]:
        web: WebContext = state.web
        return [_run_out(run) for run in await plan_runs(web.core, request.user.user_id, plan_id)]
