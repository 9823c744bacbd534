"""Domain objects into the API's Structs."""

from collections.abc import Sequence
from decimal import Decimal

import msgspec

from trading.domain.access import ApiToken
from trading.domain.accounts import ExchangeAccount
from trading.domain.enums import OrderType
from trading.domain.futures_orders import FuturesTerms, stop_to_liquidation
from trading.domain.orders import Order, OrderDraft
from trading.usecases.core import Core
from trading.usecases.portfolio import Portfolio
from trading.usecases.quotes import price_tick
from webapp.schemas import (
    AccountOut,
    ApiTokenOut,
    BalanceOut,
    DraftOut,
    FuturesTermsOut,
    OrderOut,
    PlacedOut,
    PortfolioOut,
    PositionOut,
    PreviewOut,
)


def portfolio_out(view: Portfolio) -> PortfolioOut:
    return PortfolioOut(
        account_id=view.account_id,
        quote=view.quote,
        cash=view.cash,
        equity=view.equity,
        realised_pnl=view.realised_pnl,
        unrealised_pnl=view.unrealised_pnl,
        fees_paid=view.fees_paid,
        deposits=view.deposits,
        balances=[BalanceOut(b.asset, b.amount, b.value) for b in view.balances],
        positions=[
            PositionOut(
                p.symbol,
                p.quantity,
                p.average_cost,
                p.price,
                p.value,
                p.unrealised_pnl,
                round(p.unrealised_pct, 2),
                p.realised_pnl,
            )
            for p in view.positions
        ],
    )


def futures_terms_out(draft: OrderDraft, terms: FuturesTerms) -> FuturesTermsOut:
    """`stop_to_liquidation_pct` from the draft's stop loss, or from its own price where it is a reduce-only stop
    (a position's stop moved or set)."""
    stop = draft.stop_loss
    if stop is None and terms.reduce_only and draft.order_type is OrderType.STOP:
        stop = draft.price
    liquidation = terms.liquidation_price
    return FuturesTermsOut(
        position_side=terms.position_side.value,
        leverage=terms.leverage,
        leverage_asked=terms.leverage_asked,
        leverage_capped=terms.capped,
        margin_mode=terms.margin_mode.value,
        margin=terms.margin,
        liquidation_price=liquidation,
        stop_to_liquidation_pct=None
        if stop is None or liquidation is None
        else round(stop_to_liquidation(stop, liquidation), 2),
        funding_rate=terms.funding_rate,
        reduce_only=terms.reduce_only,
        closes=terms.closes,
    )


async def draft_to_show(core: Core, draft: OrderDraft) -> DraftOut:
    """A draft with its market's price increment, for a preview to be shown at the market's precision."""
    return draft_out(draft, await price_tick(core, draft))


def draft_out(draft: OrderDraft, tick: Decimal | None = None) -> DraftOut:
    p = draft.preview
    terms = draft.futures
    return DraftOut(
        draft_id=draft.id,
        account_id=draft.account_id,
        symbol=draft.symbol,
        side=draft.side.value,
        type=draft.order_type.value,
        quantity=draft.quantity,
        price=draft.price,
        stop_loss=draft.stop_loss,
        take_profits=list(draft.take_profits),
        preview=PreviewOut(
            p.price,
            p.quantity,
            p.cost,
            p.fee,
            p.at_risk,
            p.stop_distance,
            p.stop_distance_pct,
            p.fills_at_once_near,
            p.risk_percent,
            p.trailing_entry_percent,
        ),
        expires_at=draft.expires_at,
        replaces_order_id=draft.replaces_order_id,
        futures=None if terms is None else futures_terms_out(draft, terms),
        price_tick=tick,
    )


def order_out(order: Order) -> OrderOut:
    return OrderOut(
        id=order.id,
        account_id=order.account_id,
        symbol=order.symbol,
        side=order.side.value,
        type=order.order_type.value,
        role=order.role.value,
        quantity=order.quantity,
        price=order.price,
        status=order.status.value,
        filled=order.filled,
        average_price=order.average_price,
        fee=order.fee,
        error=order.error,
        created_at=order.created_at,
        updated_at=order.updated_at,
    )


def placed_out(order: Order, legs: Sequence[Order]) -> PlacedOut:
    return PlacedOut(**msgspec.structs.asdict(order_out(order)), legs=[order_out(leg) for leg in legs])


def account_out(account: ExchangeAccount) -> AccountOut:
    return AccountOut(
        account.id,
        account.exchange,
        account.label,
        account.testnet,
        account.has_credentials,
        account.created_at,
        account.market_type.value,
    )


def api_token_out(token: ApiToken) -> ApiTokenOut:
    return ApiTokenOut(
        token.id, token.name, token.scope.value, token.prefix, token.created_at, token.revoked_at
    )
