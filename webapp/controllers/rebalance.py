"""Rebalancing over the API, as in chat: the trades previewed (with fees, and what the minimums leave out), then
placed on a second call with the same shares, planned again at the prices of that moment."""

from decimal import Decimal
from typing import Annotated

import msgspec
from litestar import Controller, Request, post
from litestar.datastructures import State
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from trading.domain.rebalance import RebalancePlan, Trade
from trading.usecases.rebalancing import TradeOutcome, preview_rebalance, rebalance
from webapp.auth import Principal, can_trade
from webapp.context import WebContext
from webapp.convert import order_out
from webapp.schemas import AccountId, OrderOut

AuthRequest = Request[Principal, object, State]
Asset = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9]{1,15}$", examples=["BTC"])]


Shares = Annotated[dict[Asset, Decimal], msgspec.Meta(min_length=1, max_length=20)]


def upper(shares: dict[str, Decimal]) -> dict[str, Decimal]:
    """The shares by upper-case asset, those given twice ("btc" and "BTC") added up."""
    merged: dict[str, Decimal] = {}
    for asset, share in shares.items():
        merged[asset.upper()] = merged.get(asset.upper(), Decimal(0)) + share
    return merged


class RebalanceIn(msgspec.Struct, forbid_unknown_fields=True):
    """`shares`: percent by asset (the quote currency among them for cash), adding up to exactly 100."""

    shares: Shares
    account_id: AccountId | None = None

    def upper(self) -> dict[str, Decimal]:
        return upper(self.shares)


class TradeOut(msgspec.Struct):
    symbol: str
    side: str
    quantity: Decimal
    value: Decimal
    fee: Decimal


class LeftOutOut(msgspec.Struct):
    asset: str
    reason: str


class RebalancePreviewOut(msgspec.Struct):
    equity: Decimal
    current: dict[str, Decimal]  # each asset's share now, in percent
    trades: list[TradeOut]  # sales first
    left_out: list[LeftOutOut]
    fees: Decimal


class TradeResultOut(msgspec.Struct):
    trade: TradeOut
    order: OrderOut | None
    error: str | None


def _trade_out(trade: Trade) -> TradeOut:
    return TradeOut(trade.symbol, trade.side.value, trade.quantity, trade.value, trade.fee)


def preview_out(plan: RebalancePlan) -> RebalancePreviewOut:
    return RebalancePreviewOut(
        plan.equity,
        dict(plan.current),
        [_trade_out(t) for t in plan.trades],
        [LeftOutOut(asset, why) for asset, why in plan.left_out],
        plan.fees,
    )


def _result_out(outcome: TradeOutcome) -> TradeResultOut:
    order = order_out(outcome.order) if outcome.order is not None else None
    return TradeResultOut(_trade_out(outcome.trade), order, outcome.error)


class RebalanceController(Controller):
    path = "/rebalance"
    tags = ("automations",)

    @post(
        "/preview",
        guards=[can_trade],
        status_code=HTTP_200_OK,
        summary="The trades that would rebalance an account to the shares given; nothing is placed",
    )
    async def preview(
        self, state: State, request: AuthRequest, data: JSONBody[RebalanceIn]
    ) -> RebalancePreviewOut:
        web: WebContext = state.web
        plan = await preview_rebalance(web.core, request.user.user_id, data.upper(), data.account_id)
        return preview_out(plan)

    @post(
        guards=[can_trade],
        status_code=HTTP_200_OK,
        summary="Rebalance: the trades planned again at today's prices and placed, sales first",
        description="Each trade is drafted under the risk limits and confirmed through the normal order path; a "
        "trade refused is listed with why, and the others go on.",
    )
    async def rebalance(
        self, state: State, request: AuthRequest, data: JSONBody[RebalanceIn]
    ) -> list[TradeResultOut]:
        web: WebContext = state.web
        outcomes = await rebalance(web.core, request.user.user_id, data.upper(), data.account_id)
        return [_result_out(o) for o in outcomes]
