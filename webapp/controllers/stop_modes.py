"""Stops that move over the API: a position's stop mode (trailing, break-even after a target, moving target,
trailing take-profit) previewed with where it puts the stop now, and a trailing entry previewed with what it
buys; each confirmed once, listed and turned off; on the same use cases as the chat."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import State
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from trading.domain.enums import Side
from trading.domain.intents import OrderIntent
from trading.domain.stop_modes import PositionStopMode, StopModeKind
from trading.usecases.stop_mode_setting import (
    StopModeRequest,
    confirm_stop_mode,
    end_stop_mode,
    preview_stop_mode,
    stop_modes_of,
)
from trading.usecases.trailing_entries import lapses_at, preview_trailing_entry
from webapp.auth import Principal, can_trade
from webapp.context import WebContext
from webapp.schemas import AccountId

AuthRequest = Request[Principal, object, State]
ModeId = Annotated[str, msgspec.Meta(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]
Kind = Literal["trailing", "break_even", "moving_target", "trailing_take_profit"]
KindOut = Literal["trailing", "break_even", "moving_target", "trailing_take_profit", "trailing_entry"]
Coin = Annotated[str, msgspec.Meta(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9]+$")]


class StopModeIn(msgspec.Struct, forbid_unknown_fields=True):
    """`percent`: the trailing distance (trailing, trailing_take_profit), above 0 and at most 50;
    `after_target`: the target after which break_even moves the stop to the entry (1 or 2)."""

    kind: Kind
    percent: Decimal | None = None
    after_target: Annotated[int, msgspec.Meta(ge=1, le=2)] = 1
    quote: str | None = None
    account_id: AccountId | None = None


class StopModeOut(msgspec.Struct):
    """A position's stop mode. `extreme`: the highest price seen since it was set for a long (the lowest for a
    short); `confirmed_at`: null while it is a preview to confirm before `expires_at`. A trailing entry in
    force ends unbought at `expires_at` (its buy's draft expires then), and its trader is told; one that is an
    entry of a signal plan (a source's trailing entry) has none: its source's entry rules end it."""

    id: str
    account_id: int
    symbol: str
    kind: KindOut
    side: Literal["long", "short"]
    percent: Decimal | None
    after_target: int
    entry: Decimal
    extreme: Decimal
    targets: list[Decimal]
    expires_at: datetime | None
    confirmed_at: datetime | None


class StopModePreviewOut(msgspec.Struct):
    """`stop_order_id` and `stop_price`: the stop it moves, where it is; `stop_now`: where the mode puts it as
    soon as it is confirmed (null: it stays until the market moves it); `price`: the market now."""

    mode: StopModeOut
    stop_order_id: int
    stop_price: Decimal | None
    stop_now: Decimal | None
    price: Decimal


class TrailingEntryIn(msgspec.Struct, forbid_unknown_fields=True):
    """A buy of `amount` coins at market, placed once the price, having been at or below `below` (the market
    now, if null), turns back up `percent` (above 0, at most 50) from its low since."""

    amount: Decimal
    percent: Decimal
    below: Decimal | None = None
    quote: str | None = None
    account_id: AccountId | None = None


class TrailingEntryPreviewOut(msgspec.Struct):
    """The trailing entry to confirm (POST /positions/stop-modes/{id}/confirm); `quantity`: what it buys;
    `price`: the market now."""

    mode: StopModeOut
    quantity: Decimal
    price: Decimal


def _mode_out(record: PositionStopMode) -> StopModeOut:
    mode = record.mode
    entry_in_force = mode.kind is StopModeKind.TRAILING_ENTRY and record.confirmed_at is not None
    return StopModeOut(
        record.id,
        record.account_id,
        record.symbol,
        mode.kind.value,
        "long" if mode.long else "short",
        mode.percent,
        mode.after_target,
        mode.entry,
        mode.extreme,
        list(mode.targets),
        lapses_at(record) if entry_in_force else record.expires_at,
        record.confirmed_at,
    )


class StopModesController(Controller):
    path = "/positions"
    tags = ("stop modes",)

    @put(
        "/{coin:str}/stop-mode",
        guards=[can_trade],
        status_code=HTTP_201_CREATED,
        summary="Preview a stop mode for a position: where it puts the stop now, to confirm once",
        description="The position is the one the single stop guarding `coin` closes (on the first account, or "
        "`account_id`). A position without a stop, or one whose mode lacks what it needs (a percentage, targets), "
        "is 400.",
    )
    async def preview(
        self, state: State, request: AuthRequest, coin: Coin, data: JSONBody[StopModeIn]
    ) -> StopModePreviewOut:
        web: WebContext = state.web
        asked = StopModeRequest(StopModeKind(data.kind), data.percent, data.after_target)
        preview = await preview_stop_mode(
            web.core, request.user.user_id, coin, data.quote, asked, data.account_id
        )
        stop = preview.stop
        return StopModePreviewOut(
            _mode_out(preview.record), stop.id, stop.price, preview.stop_now, preview.price
        )

    @put(
        "/{coin:str}/trailing-entry",
        guards=[can_trade],
        status_code=HTTP_201_CREATED,
        summary="Preview a trailing entry: a buy at market once the price turns back up from its low",
        description="The buy is checked as any order now (risk limits, funds); confirmed, it is placed once, at "
        "the tick that turns, and told. Spot accounts only; a percentage above 50 is 400.",
    )
    async def preview_entry(
        self, state: State, request: AuthRequest, coin: Coin, data: JSONBody[TrailingEntryIn]
    ) -> TrailingEntryPreviewOut:
        web: WebContext = state.web
        intent = OrderIntent(coin, Side.BUY, data.amount, quote=data.quote)
        preview = await preview_trailing_entry(
            web.core, request.user.user_id, intent, data.percent, data.below, data.account_id
        )
        return TrailingEntryPreviewOut(_mode_out(preview.record), preview.draft.quantity, preview.price)

    @post(
        "/stop-modes/{mode_id:str}/confirm",
        guards=[can_trade],
        status_code=HTTP_200_OK,
        summary="Put a previewed stop mode in force, once; the stop moves at once where it says",
        description="It takes the place of the position's mode before it. Confirmed already or expired: 409.",
    )
    async def confirm(self, state: State, request: AuthRequest, mode_id: ModeId) -> StopModeOut:
        web: WebContext = state.web
        return _mode_out(await confirm_stop_mode(web.core, request.user.user_id, mode_id))

    @get("/stop-modes", summary="Your stop modes in force")
    async def modes(self, state: State, request: AuthRequest) -> list[StopModeOut]:
        web: WebContext = state.web
        return [_mode_out(record) for record in await stop_modes_of(web.core, request.user.user_id)]

    @delete(
        "/stop-modes/{mode_id:str}",
        guards=[can_trade],
        status_code=HTTP_204_NO_CONTENT,
        summary="Turn a stop mode off: the stop stays where it is",
    )
    async def end(self, state: State, request: AuthRequest, mode_id: ModeId) -> None:
        web: WebContext = state.web
        await end_stop_mode(web.core, request.user.user_id, mode_id)
