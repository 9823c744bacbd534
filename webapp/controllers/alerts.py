"""Price alerts, on the bot's own use cases: at a price, or on a move in percent from the price now."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED

from trading.domain.alerts import Alert
from trading.usecases.alerts import delete_alert, list_alerts, set_alert
from webapp.auth import Principal, can_trade
from webapp.context import WebContext
from webapp.schemas import RowId, Symbol, positive

AuthRequest = Request[Principal, object, State]


class AlertIn(msgspec.Struct, forbid_unknown_fields=True):
    """A price to be told of, or a move in percent from the price now (with condition above or below)."""

    symbol: Symbol
    price: Decimal | None = None
    condition: Literal["above", "below", "cross"] = "cross"
    percent: Decimal | None = None

    def __post_init__(self) -> None:
        if (self.price is None) == (self.percent is None):
            raise ValueError("give either price or percent")
        if self.price is not None:
            positive("price", self.price)
        if self.percent is not None:
            positive("percent", self.percent)


class AlertOut(msgspec.Struct):
    id: int
    symbol: str
    condition: str
    threshold: Decimal
    status: str
    created_at: datetime


def _alert_out(a: Alert) -> AlertOut:
    return AlertOut(a.id, a.symbol, a.condition.value, a.threshold, a.status.value, a.created_at)


class AlertsController(Controller):
    path = "/alerts"
    tags = ("alerts",)

    @get(summary="Active price alerts")
    async def list_alerts(self, state: State, request: AuthRequest) -> list[AlertOut]:
        web: WebContext = state.web
        return [_alert_out(a) for a in await list_alerts(web.core, request.user.user_id)]

    @post(guards=[can_trade], status_code=HTTP_201_CREATED, summary="Set a price alert")
    async def create(self, state: State, request: AuthRequest, data: JSONBody[AlertIn]) -> AlertOut:
        web: WebContext = state.web
        alert, _ = await set_alert(
            web.core, request.user.user_id, data.symbol, data.condition, data.price, data.percent
        )
        return _alert_out(alert)

    @delete("/{alert_id:int}", guards=[can_trade], summary="Delete an alert")
    async def remove(self, state: State, request: AuthRequest, alert_id: RowId) -> None:
        web: WebContext = state.web
        await delete_alert(web.core, request.user.user_id, alert_id)
