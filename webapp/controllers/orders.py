"""Orders: preview (priced and risk-checked, nothing placed), confirm by draft id, move a stop, cancel, list."""

from typing import Annotated, Literal

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from litestar.params import FromQuery, JSONBody, Parameter
from litestar.status_codes import HTTP_201_CREATED

from trading.domain.enums import OPEN_STATUSES, AmountUnit, OrderType, Side
from trading.domain.errors import NotFound
from trading.domain.futures import MarginMode, PositionSide
from trading.domain.intents import OrderIntent
from trading.usecases.drafting import draft_order
from trading.usecases.execution import cancel_draft, cancel_order, confirm_draft
from trading.usecases.quotes import order_legs
from trading.usecases.stop_moves import draft_move_of
from webapp.auth import Principal, can_trade
from webapp.context import WebContext
from webapp.convert import draft_to_show, order_out, placed_out
from webapp.errors import error_responses
from webapp.schemas import (
    ConfirmRequest,
    DraftId,
    DraftOut,
    MoveStopRequest,
    OrderOut,
    OrderPreviewRequest,
    PlacedOut,
    RowId,
)

AuthRequest = Request[Principal, object, State]


class OrdersController(Controller):
    path = "/orders"
    tags = ("orders",)

    @get(summary="The user's orders, newest first")
    async def list_orders(
        self,
        state: State,
        request: AuthRequest,
        status: FromQuery[Literal["open", "all"]] = "open",
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
    ) -> list[OrderOut]:
        web: WebContext = state.web
        async with web.core.uow() as uow:
            orders = await uow.orders.for_user(
                request.user.user_id, OPEN_STATUSES if status == "open" else None, limit
            )
        return [order_out(o) for o in orders]

    @get("/{order_id:int}", summary="One order")
    async def get_order(self, state: State, request: AuthRequest, order_id: RowId) -> OrderOut:
        web: WebContext = state.web
        async with web.core.uow() as uow:
            order = await uow.orders.get(order_id)
        if order is None or order.user_id != request.user.user_id:
            raise NotFound("That order was not found.")
        return order_out(order)

    @post(
        "/preview",
        guards=[can_trade],
        status_code=HTTP_201_CREATED,
        summary="Price and risk-check an order",
        description="Nothing is placed: the answer's `draft_id` is confirmed with `POST /orders/confirm` before "
        "it expires. A short, a leverage above 1 or a futures `account_id` trade futures: the preview's "
        "`futures` gives the side, leverage (and whether it was capped), margin, liquidation price, its "
        "distance from the stop and the funding rate, and the order is refused where the position would be "
        "liquidated before its stop. Without a futures account a short is refused (400 "
        "`no_futures_account`), never made a sale of coins held.",
        responses=error_responses(400, 404, 422, 503),
    )
    async def preview(
        self, state: State, request: AuthRequest, data: JSONBody[OrderPreviewRequest]
    ) -> DraftOut:
        web: WebContext = state.web
        intent = OrderIntent(
            symbol=data.symbol,
            side=Side(data.side),
            amount=data.amount,
            amount_unit=AmountUnit(data.unit),
            order_type=OrderType(data.type),
            price=data.price,
            stop_loss=data.stop_loss,
            take_profits=tuple(data.take_profits),
            stop_loss_percent=data.stop_loss_percent,
            take_profit_percents=tuple(data.take_profit_percents),
            leverage=data.leverage,
            position=None if data.position is None else PositionSide(data.position),
            margin_mode=None if data.margin_mode is None else MarginMode(data.margin_mode),
        )
        draft = await draft_order(web.core, request.user.user_id, intent, data.account_id)
        return await draft_to_show(web.core, draft)

    @post(
        "/confirm",
        guards=[can_trade],
        status_code=HTTP_201_CREATED,
        summary="Place a previewed order, once",
        description="Carries out a preview (an order's, a position's close, reduction or stop, a stop's move): "
        "the order is written, then sent. A second confirmation of the same preview is 409.",
        responses=error_responses(400, 404, 409, 422, 503),
    )
    async def confirm(self, state: State, request: AuthRequest, data: JSONBody[ConfirmRequest]) -> PlacedOut:
        web: WebContext = state.web
        order = await confirm_draft(web.core, request.user.user_id, data.draft_id)
        return placed_out(order, await order_legs(web.core, request.user.user_id, order.id))

    @delete("/previews/{draft_id:str}", guards=[can_trade], summary="Discard a preview")
    async def discard(self, state: State, request: AuthRequest, draft_id: DraftId) -> None:
        web: WebContext = state.web
        await cancel_draft(web.core, request.user.user_id, draft_id)

    @post(
        "/{order_id:int}/move",
        guards=[can_trade],
        status_code=HTTP_201_CREATED,
        summary="Preview moving a stop order to a new price; confirm it as any preview",
    )
    async def move_stop(
        self, state: State, request: AuthRequest, order_id: RowId, data: JSONBody[MoveStopRequest]
    ) -> DraftOut:
        web: WebContext = state.web
        return await draft_to_show(
            web.core, await draft_move_of(web.core, request.user.user_id, order_id, data.price)
        )

    @post("/{order_id:int}/cancel", guards=[can_trade], summary="Cancel an open order")
    async def cancel(self, state: State, request: AuthRequest, order_id: RowId) -> OrderOut:
        web: WebContext = state.web
        return order_out(await cancel_order(web.core, request.user.user_id, order_id))
