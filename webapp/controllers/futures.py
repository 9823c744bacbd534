"""Futures positions: listed with their stops, and each one closed, reduced or its stop moved, every action a
preview (nothing placed) confirmed by `POST /orders/confirm` like any order."""

from decimal import Decimal
from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody, Parameter
from litestar.status_codes import HTTP_201_CREATED

from trading.domain.enums import AmountUnit
from trading.domain.futures import FuturesPosition
from trading.domain.market import parse_symbol
from trading.domain.money import HUNDRED
from trading.usecases.position_actions import (
    HeldPositions,
    draft_close,
    draft_position_stop,
    draft_reduction,
    held_positions,
)
from webapp.auth import Principal, can_trade
from webapp.context import WebContext
from webapp.convert import draft_to_show
from webapp.errors import error_responses
from webapp.schemas import (
    Amount,
    DraftOut,
    MarginModeName,
    MoveStopRequest,
    PositionSideName,
    positive,
)

AuthRequest = Request[Principal, object, State]
Base = Annotated[
    str,
    Parameter(
        pattern=r"^[A-Za-z0-9]{1,15}$",
        description="The position's coin: ETH for ETH/USDT:USDT (a perpetual against the account's quote).",
    ),
]
AccountId = Annotated[
    int | None, Parameter(ge=1, le=2**31 - 1, description="default: your first futures account")
]
CONFIRM = (
    " Nothing is placed: confirm the preview's `draft_id` with `POST /orders/confirm` before it expires."
)
NO_ACCOUNT = " 400 `no_futures_account` where you have no futures account."


class FuturesPositionOut(msgspec.Struct):
    """An open position as its venue reports it, in the settle currency. `base`: what its actions take in their
    path; `stops`: the prices of the stops that guard it (usually one; none: unprotected); `price_tick`: its
    market's price increment, the precision its prices are shown to."""

    symbol: str
    base: str
    side: PositionSideName
    size: Decimal
    leverage: Decimal
    margin_mode: MarginModeName
    entry_price: Decimal
    mark_price: Decimal
    liquidation_price: Decimal | None
    unrealised_pnl: Decimal
    margin: Decimal
    stops: list[Decimal]
    price_tick: Decimal


class FuturesAccountOut(msgspec.Struct):
    """A futures account valued at its marks: `equity` is the wallet with the positions' unrealised P&L,
    `available` what is not margin in use."""

    account_id: int
    label: str
    currency: str
    wallet: Decimal
    equity: Decimal
    available: Decimal
    unrealised_pnl: Decimal
    realised_pnl: Decimal
    fees_paid: Decimal
    funding_paid: Decimal
    positions: list[FuturesPositionOut]


class ReduceRequest(msgspec.Struct, forbid_unknown_fields=True):
    """By a fraction of the position (0.5: half of it, 1: all of it) or by a size in its coin: one of the two."""

    fraction: Annotated[Decimal, msgspec.Meta(description="Above 0, at most 1.")] | None = None
    size: Amount | None = None

    def __post_init__(self) -> None:
        if (self.fraction is None) == (self.size is None):
            raise ValueError("give either `fraction` or `size`")
        fraction = self.fraction
        if fraction is not None and not (fraction.is_finite() and 0 < fraction <= 1):
            raise ValueError("`fraction` must be above 0 and at most 1 (0.5 is half)")
        positive("size", self.size)


def _position_out(p: FuturesPosition, stops: tuple[Decimal, ...], tick: Decimal) -> FuturesPositionOut:
    return FuturesPositionOut(
        symbol=p.symbol,
        base=parse_symbol(p.symbol)[0],
        side=p.side.value,
        size=p.size,
        leverage=p.leverage,
        margin_mode=p.margin_mode.value,
        entry_price=p.entry_price,
        mark_price=p.mark_price,
        liquidation_price=p.liquidation_price,
        unrealised_pnl=p.unrealised_pnl,
        margin=p.margin,
        stops=list(stops),
        price_tick=tick,
    )


def _account_out(held: HeldPositions) -> FuturesAccountOut:
    v = held.portfolio
    return FuturesAccountOut(
        account_id=v.account_id,
        label=v.label,
        currency=v.currency,
        wallet=v.wallet,
        equity=v.equity,
        available=v.available,
        unrealised_pnl=v.unrealised_pnl,
        realised_pnl=v.realised_pnl,
        fees_paid=v.fees_paid,
        funding_paid=v.funding_paid,
        positions=[_position_out(p, held.stops.get(p.symbol, ()), held.ticks[p.symbol]) for p in v.positions],
    )


class FuturesPositionsController(Controller):
    path = "/futures/positions"
    tags = ("futures",)

    @get(
        summary="Your futures positions, valued at their marks",
        description="Side, size, leverage, entry, mark, liquidation price, unrealised P&L, margin and the stops "
        "that guard each, with the account's wallet, equity and what is available for margin." + NO_ACCOUNT,
        responses=error_responses(400, 404, 503),
    )
    async def positions(
        self, state: State, request: AuthRequest, account_id: AccountId = None
    ) -> FuturesAccountOut:
        web: WebContext = state.web
        return _account_out(await held_positions(web.core, request.user.user_id, account_id))

    @post(
        "/{base:str}/close",
        guards=[can_trade],
        status_code=HTTP_201_CREATED,
        summary="Preview closing a position",
        description="A reduce-only market order for all of it, on its side (a long sold, a short bought back), "
        "priced with its fee." + CONFIRM + NO_ACCOUNT,
        responses=error_responses(400, 404, 422, 503),
    )
    async def close(
        self, state: State, request: AuthRequest, base: Base, account_id: AccountId = None
    ) -> DraftOut:
        web: WebContext = state.web
        return await draft_to_show(
            web.core, await draft_close(web.core, request.user.user_id, base, account_id)
        )

    @post(
        "/{base:str}/reduce",
        guards=[can_trade],
        status_code=HTTP_201_CREATED,
        summary="Preview reducing a position by a fraction or a size",
        description="A reduce-only market order for that much of it (rounded down to the market's step), with "
        "the liquidation price of what is left; it never opens or flips a position." + CONFIRM + NO_ACCOUNT,
        responses=error_responses(400, 404, 422, 503),
    )
    async def reduce(
        self,
        state: State,
        request: AuthRequest,
        base: Base,
        data: JSONBody[ReduceRequest],
        account_id: AccountId = None,
    ) -> DraftOut:
        web: WebContext = state.web
        if data.fraction is not None:
            amount, unit = data.fraction * HUNDRED, AmountUnit.PERCENT
        else:
            assert data.size is not None
            amount, unit = data.size, AmountUnit.BASE
        draft = await draft_reduction(web.core, request.user.user_id, base, amount, unit, account_id)
        return await draft_to_show(web.core, draft)

    @post(
        "/{base:str}/stop",
        guards=[can_trade],
        status_code=HTTP_201_CREATED,
        summary="Preview moving a position's stop (or setting one)",
        description="The stop that guards the position moved to `price` (`replaces_order_id` names it), or, "
        "where none does, a reduce-only stop order at `price` for all of it. Refused where the market is past "
        "that price, or where the position would be liquidated before the stop (the preview gives the distance "
        "from the stop to the liquidation price)." + CONFIRM + NO_ACCOUNT,
        responses=error_responses(400, 404, 422, 503),
    )
    async def stop(
        self,
        state: State,
        request: AuthRequest,
        base: Base,
        data: JSONBody[MoveStopRequest],
        account_id: AccountId = None,
    ) -> DraftOut:
        web: WebContext = state.web
        draft = await draft_position_stop(web.core, request.user.user_id, base, data.price, account_id)
        return await draft_to_show(web.core, draft)
