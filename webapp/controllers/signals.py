"""Signals and their sources, on the bot's own use cases."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.datastructures import State
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from trading.domain.entry_rules import split_text
from trading.domain.signal_records import (
    SignalSource,
    SignalStatus,
    SourceMarket,
    SourceSettings,
    SourceStats,
)
from trading.domain.signals import trailing_entry_text, trailing_not_applied
from trading.usecases.second_factor import check_second_factor
from trading.usecases.signal_plans import PlanDraft, draft_signal_plan
from trading.usecases.signal_workflow import follow_signal
from trading.usecases.signals import (
    ignore_plan,
    mark_signal,
    open_signal,
    set_auto_follow,
    set_source_settings,
    signal_source,
    source_stats,
)
from webapp.auth import Principal, can_trade
from webapp.context import WebContext
from webapp.controllers.second_factor import CODE_REFUSALS, SecondFactorCode
from webapp.convert import draft_out, order_out
from webapp.schemas import AccountId, Amount, DraftOut, OrderOut, RowId, positive

AuthRequest = Request[Principal, object, State]


class SignalOut(msgspec.Struct):
    id: int
    source_id: int
    symbol: str
    side: str
    entries: list[Decimal]
    targets: list[Decimal]
    stop_loss: Decimal | None
    status: str
    outcome: str | None
    pnl: Decimal | None
    created_at: datetime
    plan_id: str | None = None  # the plan previewed for it (POST /signals/{id}/plan)


class SourceOut(msgspec.Struct):
    id: int
    title: str
    auto_follow: bool
    signals: int
    followed: int
    wins: int
    losses: int
    win_rate: Decimal | None
    pnl: Decimal
    move_stop_to_entry: bool  # in the plans it follows automatically
    market: Literal["auto", "spot", "futures"] = "auto"
    risk_percent: Decimal | None = None


class SourceSettingsIn(msgspec.Struct, forbid_unknown_fields=True):
    """Where a source's signals trade, and what their plans risk. Both are replaced."""

    market: Annotated[
        Literal["auto", "spot", "futures"],
        msgspec.Meta(
            description="auto: a short or a leveraged signal on futures, the rest on spot; spot: its longs on "
            "spot at 1x, its shorts refused (never a sale of coins held); futures: every signal on futures."
        ),
    ] = "auto"
    risk_percent: (
        Annotated[
            Decimal,
            msgspec.Meta(
                description="The percent of your equity its plans lose at their stop (above 0, at most 10), "
                "the stop's distance giving the size; null: the amount you follow signals with."
            ),
        ]
        | None
    ) = None

    def __post_init__(self) -> None:
        positive("risk_percent", self.risk_percent)


class FollowIn(msgspec.Struct, forbid_unknown_fields=True):
    auto_follow: bool
    move_stop_to_entry: Annotated[
        bool | None,
        msgspec.Meta(
            description="In the plans followed automatically: the stop to the entry after target 1. "
            "Left out: the source's choice stays."
        ),
    ] = None


class PlanIn(msgspec.Struct, forbid_unknown_fields=True):
    amount: Annotated[Amount, msgspec.Meta(description="What to put into the signal, in the quote currency.")]
    account_id: AccountId | None = None
    move_stop_to_entry: bool = False

    def __post_init__(self) -> None:
        positive("amount", self.amount)


class TargetOut(msgspec.Struct):
    price: Decimal
    share: Decimal


class SignalPlanOut(msgspec.Struct):
    signal_id: int
    plan_id: str
    symbol: str
    side: str
    entries: list[DraftOut]
    targets: list[TargetOut]
    stop_loss: Decimal | None
    # The signal's leverage. A short or a leveraged signal trades futures, at `leverage` (the signal's, capped at
    # the most allowed), with `margin` put up and liquidated at `liquidation_price`; these are null on spot.
    leverage_asked: Decimal | None
    cost: Decimal  # the entries' notional
    fees: Decimal
    at_risk: Decimal
    expires_at: datetime
    # What makes the signal look stale or misread against the market now: shown before Follow.
    doubts: list[str] = []
    leverage: Decimal | None = None
    margin: Decimal | None = None
    liquidation_price: Decimal | None = None
    # How the amount was split over the entries, by the source's entry rules: "weighted to the first entry
    # (3/2/1)"; each entry's amount is its preview's cost.
    split: str = "evenly"
    risk_percent: Decimal | None = (
        None  # sized to lose this share of the equity at the stop (the source's risk)
    )
    # What the source's trailing entry does to the plan, in sentences: per entry, "Entry 2: trailing entry 2%
    # armed at 3,000"; or, for a futures plan, that it applies to spot buys only.
    notes: list[str] = []


class PlanFailureOut(msgspec.Struct):
    draft_id: str
    reason: str


class FollowedOut(msgspec.Struct):
    signal_id: int
    orders: list[OrderOut]
    failures: list[PlanFailureOut]
    # Sent with no answer from the exchange: perhaps placed; looked up within minutes, and the trader told.
    unconfirmed: list[PlanFailureOut]
    # The trailing entries armed (their draft ids): nothing placed yet, each buys when the price turns.
    armed: list[str] = []


def _plan_out(signal_id: int, planned: PlanDraft, to_confirm: timedelta) -> SignalPlanOut:
    plan, terms = planned.plan, planned.futures
    return SignalPlanOut(
        signal_id,
        planned.group_id,
        plan.symbol,
        plan.side.value,
        [draft_out(d) for d in planned.drafts],
        [TargetOut(price, share) for price, share in plan.targets],
        plan.stop_loss,
        plan.leverage_asked,
        plan.cost,
        plan.fees,
        plan.at_risk,
        # Every entry is confirmed within the drafts' life (a trailing entry's draft outlives it, for its buy).
        min(d.created_at for d in planned.drafts) + to_confirm,
        list(plan.doubts),
        None if terms is None else terms.leverage,
        None if terms is None else terms.margin,
        None if terms is None else terms.liquidation_price,
        split_text(plan.rules, len(plan.entries)),
        planned.risk_percent,
        _trailing_notes(planned),
    )


def _trailing_notes(planned: PlanDraft) -> list[str]:
    plan = planned.plan
    notes = [
        f"Entry {i}: {trailing_entry_text(e.trailing_percent, e.price)}"
        for i, e in enumerate(plan.entries, 1)
        if e.trailing_percent is not None
    ]
    not_applied = trailing_not_applied(plan, planned.futures is not None)
    return [*notes, not_applied] if not_applied is not None else notes


def _source_out(st: SourceStats) -> SourceOut:
    rate = round(st.win_rate, 1) if st.win_rate is not None else None
    s = st.source
    return SourceOut(
        s.id,
        s.title,
        s.auto_follow,
        st.signals,
        st.followed,
        st.wins,
        st.losses,
        rate,
        st.pnl,
        s.move_stop_to_entry,
        s.settings.market.value,
        s.settings.risk_percent,
    )


async def _source_out_of(web: WebContext, user_id: int, source: SignalSource) -> SourceOut:
    """The source with its statistics (none yet: zeros)."""
    for st in await source_stats(web.core, user_id):
        if st.source.id == source.id:
            return _source_out(st)
    return _source_out(SourceStats(source, 0, 0, 0, 0, Decimal(0)))


class SignalsController(Controller):
    path = "/signals"
    tags = ("signals",)

    @get(summary="Signals received, with their outcomes")
    async def list_signals(self, state: State, request: AuthRequest) -> list[SignalOut]:
        web: WebContext = state.web
        async with web.core.uow(read_only=True) as uow:
            sources = await uow.signals.for_user(request.user.user_id)
        out = [
            SignalOut(
                s.id,
                s.source_id,
                s.spec.symbol,
                s.spec.side.value,
                list(s.spec.entries),
                list(s.spec.targets),
                s.spec.stop_loss,
                s.status.value,
                s.outcome,
                s.pnl,
                s.created_at,
                s.group_id,
            )
            for _, signals in sources
            for s in signals
        ]
        return sorted(out, key=lambda s: s.created_at, reverse=True)

    @get("/sources", summary="Statistics per signal source: win rate and P&L")
    async def sources(self, state: State, request: AuthRequest) -> list[SourceOut]:
        web: WebContext = state.web
        return [_source_out(st) for st in await source_stats(web.core, request.user.user_id)]

    @post(
        "/sources/{source_id:int}/follow",
        guards=[can_trade],
        responses=CODE_REFUSALS,
        summary="Follow a source automatically (a second factor's code in X-TOTP, where it is on), or stop",
    )
    async def follow(
        self,
        state: State,
        request: AuthRequest,
        source_id: RowId,
        data: JSONBody[FollowIn],
        totp: SecondFactorCode = None,
    ) -> SourceOut:
        web: WebContext = state.web
        if data.auto_follow:
            await check_second_factor(web.core, request.user.user_id, totp)
        source = await set_auto_follow(
            web.core, request.user.user_id, source_id, data.auto_follow, data.move_stop_to_entry
        )
        return await _source_out_of(web, request.user.user_id, source)

    @put(
        "/sources/{source_id:int}/settings",
        guards=[can_trade],
        summary="Choose where a source's signals trade (auto, spot, futures) and what their plans risk",
        description=(
            "Replaces both. A short signal from a source set to spot is refused, never a sale of coins held; "
            "a risk percent sizes each plan from the stop's distance (a signal with no stop is then refused). "
            "400 for a risk out of range, 404 for a source that is not yours."
        ),
    )
    async def settings(
        self, state: State, request: AuthRequest, source_id: RowId, data: JSONBody[SourceSettingsIn]
    ) -> SourceOut:
        web: WebContext = state.web
        user_id = request.user.user_id
        settings = SourceSettings(SourceMarket(data.market), data.risk_percent)
        source = await set_source_settings(web.core, user_id, source_id, settings)
        return await _source_out_of(web, user_id, source)

    @post(
        "/{signal_id:int}/plan",
        guards=[can_trade],
        status_code=HTTP_201_CREATED,
        summary="Preview following a signal: its plan for an amount, priced and risk-checked, nothing placed",
        description=(
            "The amount is split over the signal's entries; the plan waits for `POST /signals/{id}/follow` "
            "until it expires. A newer plan for the same signal replaces the older one."
        ),
    )
    async def plan(
        self, state: State, request: AuthRequest, signal_id: RowId, data: JSONBody[PlanIn]
    ) -> SignalPlanOut:
        web: WebContext = state.web
        user_id = request.user.user_id
        signal = await open_signal(web.core, user_id, signal_id)
        planned = await draft_signal_plan(
            web.core,
            user_id,
            signal.spec,
            data.amount,
            account_id=data.account_id,
            move_stop_to_entry=data.move_stop_to_entry,
            signal_id=signal.id,
            source=await signal_source(web.core, user_id, signal.source_id),
        )
        return _plan_out(signal.id, planned, web.core.config.draft_ttl)

    @post(
        "/{signal_id:int}/follow",
        guards=[can_trade],
        summary="Follow a signal: place the plan previewed for it, each entry once",
        description=(
            "Answers the orders placed and the entries the exchange refused; 409 when the plan has expired "
            "or was placed already, 400 when the signal has no plan yet. The signal is then followed where an "
            "entry was placed (or sent, unanswered); where every entry was refused it can be planned again."
        ),
    )
    async def follow_signal(self, state: State, request: AuthRequest, signal_id: RowId) -> FollowedOut:
        web: WebContext = state.web
        followed = await follow_signal(web.core, request.user.user_id, signal_id)
        result = followed.result
        return FollowedOut(
            followed.signal_id,
            [order_out(o) for o in result.orders],
            [PlanFailureOut(draft.id, reason) for draft, reason in result.failures],
            [PlanFailureOut(draft.id, told) for draft, told in result.unconfirmed],
            [draft.id for draft in result.armed],
        )

    @post(
        "/{signal_id:int}/ignore",
        guards=[can_trade],
        status_code=HTTP_204_NO_CONTENT,
        summary="Ignore a signal (its previewed plan, if any, is dropped unplaced)",
    )
    async def ignore(self, state: State, request: AuthRequest, signal_id: RowId) -> None:
        web: WebContext = state.web
        user_id = request.user.user_id
        signal = await open_signal(web.core, user_id, signal_id, also=SignalStatus.IGNORED)
        if signal.status is SignalStatus.IGNORED:
            return
        if signal.group_id is not None:
            await ignore_plan(web.core, user_id, signal.group_id, signal.id)
        else:
            await mark_signal(web.core, user_id, signal.id, SignalStatus.IGNORED)
