"""Price alerts and signals, on the bot's own use cases."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from litestar.params import JSONBody, Parameter
from litestar.status_codes import HTTP_201_CREATED

from trading.domain.signal_records import SignalStatus, SourceStats
from trading.usecases.alerts import delete_alert, list_alerts, set_alert
from trading.usecases.signals import mark_signal, set_auto_follow, source_stats
from webapp.auth import Principal, can_trade
from webapp.context import WebContext
from webapp.schemas import Symbol, positive

Id = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
AuthRequest = Request[Principal, object, State]


class AlertIn(msgspec.Struct, forbid_unknown_fields=True):
    symbol: Symbol
    price: Decimal
    condition: Literal["above", "below", "cross"] = "cross"

    def __post_init__(self) -> None:
        positive("price", self.price)


class AlertOut(msgspec.Struct):
    id: int
    symbol: str
    condition: str
    threshold: Decimal
    status: str
    created_at: datetime


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


class FollowIn(msgspec.Struct, forbid_unknown_fields=True):
    auto_follow: bool


def _source_out(st: SourceStats) -> SourceOut:
    closed = st.wins + st.losses
    rate = round(Decimal(st.wins) / closed * 100, 1) if closed else None
    s = st.source
    return SourceOut(s.id, s.title, s.auto_follow, st.signals, st.followed, st.wins, st.losses, rate, st.pnl)


class AlertsController(Controller):
    path = "/alerts"
    tags = ("alerts",)

    @get(summary="Active price alerts")
    async def list_alerts(self, state: State, request: AuthRequest) -> list[AlertOut]:
        web: WebContext = state.web
        alerts = await list_alerts(web.core, request.user.user_id)
        return [
            AlertOut(a.id, a.symbol, a.condition.value, a.threshold, a.status.value, a.created_at)
            for a in alerts
        ]

    @post(guards=[can_trade], status_code=HTTP_201_CREATED, summary="Set a price alert")
    async def create(self, state: State, request: AuthRequest, data: JSONBody[AlertIn]) -> AlertOut:
        web: WebContext = state.web
        a, _ = await set_alert(web.core, request.user.user_id, data.symbol, data.condition, data.price)
        return AlertOut(a.id, a.symbol, a.condition.value, a.threshold, a.status.value, a.created_at)

    @delete("/{alert_id:int}", guards=[can_trade], summary="Delete an alert")
    async def remove(self, state: State, request: AuthRequest, alert_id: Id) -> None:
        web: WebContext = state.web
        await delete_alert(web.core, request.user.user_id, alert_id)


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
        summary="Follow a source automatically, or stop",
    )
    async def follow(
        self, state: State, request: AuthRequest, source_id: Id, data: JSONBody[FollowIn]
    ) -> SourceOut:
        web: WebContext = state.web
        source = await set_auto_follow(web.core, request.user.user_id, source_id, data.auto_follow)
        for st in await source_stats(web.core, request.user.user_id):
            if st.source.id == source.id:
                return _source_out(st)
        return SourceOut(source.id, source.title, source.auto_follow, 0, 0, 0, 0, None, Decimal(0))

    @post("/{signal_id:int}/ignore", guards=[can_trade], summary="Ignore a signal")
    async def ignore(self, state: State, request: AuthRequest, signal_id: Id) -> None:
        web: WebContext = state.web
        await mark_signal(web.core, request.user.user_id, signal_id, SignalStatus.IGNORED)
