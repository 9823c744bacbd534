"""The kill switch over the API: close every position, cancel every order; each previewed (a confirmation id,
valid as long as an order preview), then confirmed once; on the same use cases as the chat."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

import msgspec
from litestar import Controller, Request, post
from litestar.datastructures import State
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from trading.usecases.kill_switch import (
    CancelAllDone,
    CancelAllPreview,
    CloseAllPreview,
    Closing,
    ClosingDone,
    cancel_all,
    close_all,
    preview_cancel_all,
    preview_close_all,
)
from webapp.auth import Principal, can_trade
from webapp.context import WebContext
from webapp.convert import order_out
from webapp.schemas import OrderOut

AuthRequest = Request[Principal, object, State]


class ConfirmIn(msgspec.Struct, forbid_unknown_fields=True):
    confirmation_id: Annotated[str, msgspec.Meta(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]


class ClosingOut(msgspec.Struct):
    """A position to close at market: spot coins sold (`position` null), or a futures position closed
    reduce-only; `side`: the closing order's; `value`: its worth at the price now, in `quote` (null where the
    venue gives no price); `cancels`: the open orders on its market, cancelled first."""

    account_id: int
    symbol: str
    side: str
    position: str | None
    quantity: Decimal
    value: Decimal | None
    quote: str
    cancels: list[OrderOut]


class CloseAllPreviewOut(msgspec.Struct):
    """`confirmation_id`: what confirming names, until `expires_at` (null where there is nothing to close);
    `totals`: the estimated value by quote currency."""

    confirmation_id: str | None
    expires_at: datetime | None
    closings: list[ClosingOut]
    totals: dict[str, Decimal]


class ClosingDoneOut(msgspec.Struct):
    """`order`: the sale or close (null where it was not made: `error` says why); `refused`: orders on its
    market that could not be cancelled, and why."""

    closing: ClosingOut
    order: OrderOut | None
    cancelled: list[OrderOut]
    refused: list[str]
    error: str | None


class CancelAllPreviewOut(msgspec.Struct):
    """`protecting`: the ids of the stops among `orders`, each protecting a position that stays without a stop
    once cancelled; `in_flight`: orders whose venue has not answered yet, not cancellable now;
    `trailing_entries`: the ids of the trailing entries waiting to buy (GET /positions/stop-modes), which
    Confirm ends."""

    confirmation_id: str | None
    expires_at: datetime | None
    count: int
    orders: list[OrderOut]
    protecting: list[int]
    in_flight: list[int]
    trailing_entries: list[str] = msgspec.field(default_factory=list)


class RefusedOut(msgspec.Struct):
    order_id: int
    error: str


class CancelAllOut(msgspec.Struct):
    cancelled: list[OrderOut]
    refused: list[RefusedOut]
    ended: list[str] = msgspec.field(default_factory=list)  # the trailing entries ended, by id


def _closing_out(closing: Closing) -> ClosingOut:
    return ClosingOut(
        closing.account_id,
        closing.symbol,
        closing.side.value,
        None if closing.position is None else closing.position.value,
        closing.quantity,
        closing.value,
        closing.quote,
        [order_out(order) for order in closing.cancels],
    )


def _close_preview_out(preview: CloseAllPreview) -> CloseAllPreviewOut:
    closings = [_closing_out(closing) for closing in preview.closings]
    return CloseAllPreviewOut(preview.confirmation_id, preview.expires_at, closings, preview.totals)


def _closed_out(done: ClosingDone) -> ClosingDoneOut:
    order = None if done.order is None else order_out(done.order)
    cancelled = [order_out(o) for o in done.cancelled]
    return ClosingDoneOut(_closing_out(done.closing), order, cancelled, list(done.refused), done.error)


def _cancel_preview_out(preview: CancelAllPreview) -> CancelAllPreviewOut:
    return CancelAllPreviewOut(
        preview.confirmation_id,
        preview.expires_at,
        len(preview.orders),
        [order_out(order) for order in preview.orders],
        [order.id for order in preview.protecting],
        [order.id for order in preview.in_flight],
        [record.id for record in preview.trailing],
    )


def _cancelled_out(done: CancelAllDone) -> CancelAllOut:
    refused = [RefusedOut(order.id, why) for order, why in done.refused]
    return CancelAllOut(
        [order_out(order) for order in done.cancelled], refused, [record.id for record in done.ended]
    )


class KillSwitchController(Controller):
    path = "/kill-switch"
    tags = ("kill switch",)

    @post(
        "/close-all/preview",
        guards=[can_trade],
        status_code=HTTP_201_CREATED,
        summary="Preview closing every position: each sale or close, its value now, the orders cancelled first",
    )
    async def preview_close(self, state: State, request: AuthRequest) -> CloseAllPreviewOut:
        web: WebContext = state.web
        return _close_preview_out(await preview_close_all(web.core, request.user.user_id))

    @post(
        "/close-all/confirm",
        guards=[can_trade],
        status_code=HTTP_200_OK,
        summary="Close every position the books hold now, once",
        description="Planned again from what the books hold at this moment; each sale or close goes through "
        "the risk limits and the normal order path, one refused is told and the rest go on. A confirmation "
        "used already or expired is 409; an unknown one 404.",
    )
    async def close(
        self, state: State, request: AuthRequest, data: JSONBody[ConfirmIn]
    ) -> list[ClosingDoneOut]:
        web: WebContext = state.web
        return [
            _closed_out(done)
            for done in await close_all(web.core, request.user.user_id, data.confirmation_id)
        ]

    @post(
        "/cancel-all/preview",
        guards=[can_trade],
        status_code=HTTP_201_CREATED,
        summary="Preview cancelling every open order: how many, and which are stops protecting a position",
    )
    async def preview_cancel(self, state: State, request: AuthRequest) -> CancelAllPreviewOut:
        web: WebContext = state.web
        return _cancel_preview_out(await preview_cancel_all(web.core, request.user.user_id))

    @post(
        "/cancel-all/confirm",
        guards=[can_trade],
        status_code=HTTP_200_OK,
        summary="Cancel every open order, once",
        description="A confirmation used already or expired is 409; an unknown one 404.",
    )
    async def cancel(self, state: State, request: AuthRequest, data: JSONBody[ConfirmIn]) -> CancelAllOut:
        web: WebContext = state.web
        return _cancelled_out(await cancel_all(web.core, request.user.user_id, data.confirmation_id))
