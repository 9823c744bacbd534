"""A futures order from an intent ("short 0.1 eth 5x sl 3600", "close my eth short"): opening or adding to a
long or a short, or reducing and closing one, priced on the account's venue, margined on the core's book and
risk-checked into a draft that waits for the trader's confirmation.

An opening takes the leverage asked, within the user's limit and the market's ceiling (the preview says when it
was capped), and is refused when the position would be liquidated before its stop could close it. A stop is
required with leverage (the risk limits). A reduction is reduce-only: it never opens or flips a position.
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from trading.domain.enums import AmountUnit, Side
from trading.domain.errors import InvalidInput
from trading.domain.futures import MarginMode, PositionSide
from trading.domain.futures_math import initial_margin
from trading.domain.futures_orders import FuturesTerms, capped_leverage, check_liquidation_beyond_stop
from trading.domain.intents import OrderIntent
from trading.domain.ledger import ZERO
from trading.domain.money import HUNDRED, canonical
from trading.domain.orders import OrderDraft, Preview
from trading.domain.perpetuals import perpetual_of
from trading.domain.risk import OrderExposure
from trading.domain.risk_sizing import loss_at_stop, size_from_risk
from trading.usecases.core import Core, new_draft_id
from trading.usecases.futures_context import (
    MARGIN_MODE,
    FuturesState,
    MarketNow,
    check_free,
    check_futures_risk,
    check_one_position,
    futures_state,
    market_now,
    marks_of,
    opened,
)
from trading.usecases.pricing import (
    brackets_priced,
    check_brackets,
    check_trigger,
    fills_at_once_near,
    pair_of,
    validate_intent,
)


async def draft_futures_order(
    core: Core, user_id: int, intent: OrderIntent, account_id: int | None = None
) -> OrderDraft:
    """Price, margin and check a futures order on the user's futures account (the one given, or the first) and
    keep it for confirmation. NoFuturesAccount where the user has none; nothing is written on a refusal."""
    validate_intent(intent)
    state = await futures_state(core, user_id, account_id)
    symbol = perpetual_of(pair_of(intent.symbol, intent.quote, core.config.paper_quote))
    now = await market_now(core, state.account.id, symbol)
    position = intent.position or PositionSide.opened_by(intent.side)
    if intent.side is position.closing_side:
        priced = _reduction(intent, position, state, now)
    else:
        priced = await _opening(intent, position, state, now)
    near = fills_at_once_near(intent.side, intent.order_type, intent.price, now.ticker)
    preview = replace(priced.preview, fills_at_once_near=near)
    at = core.clock.now()
    draft = OrderDraft(
        id=new_draft_id(),
        user_id=user_id,
        account_id=state.account.id,
        symbol=symbol,
        side=intent.side,
        order_type=intent.order_type,
        quantity=preview.quantity,
        price=intent.price and now.market.round_price(intent.price),
        preview=preview,
        created_at=at,
        expires_at=at + core.config.draft_ttl,
        stop_loss=priced.intent.stop_loss,
        take_profits=priced.intent.take_profits,
        leverage=None if preview.futures is None else preview.futures.leverage,
    )
    async with core.uow(durable=False) as uow:  # lost in a crash, it is only asked for again
        await uow.drafts.add(draft)
        await uow.commit()
    return draft


@dataclass(frozen=True, slots=True)
class _Priced:
    """An intent with its brackets as prices, and the preview of it."""

    intent: OrderIntent
    preview: Preview


async def _opening(intent: OrderIntent, side: PositionSide, state: FuturesState, now: MarketNow) -> _Priced:
    market, symbol = now.market, now.market.symbol
    asked = intent.leverage or (now.held.leverage if now.held is not None else Decimal(1))
    mode = intent.margin_mode or (now.held.margin_mode if now.held is not None else MARGIN_MODE)
    leverage = capped_leverage(asked, state.limits.max_leverage, market.max_leverage)
    check_one_position(now, side, leverage)
    buying = intent.side is Side.BUY
    price = intent.price if intent.price is not None else now.ticker.price_for(buying)
    check_trigger(intent.side, intent.order_type, intent.price, now.ticker)
    intent = brackets_priced(intent, market, price, below=side is PositionSide.LONG)
    check_brackets(intent, price, side.opening_side)
    quantity = await _quantity(intent, price, leverage, state, now)
    market.check_minimums(quantity, price)
    notional = quantity * price
    fee = notional * market.taker_fee
    margin = initial_margin(notional, leverage)
    check_free(now, margin + fee)
    others = await marks_of(state.book, now) if mode is MarginMode.CROSS else None  # a cross wallet's
    after = opened(state.book, symbol, intent.side, [(quantity, price, fee)], leverage, mode)
    liquidation = after.liquidation_price(symbol, others)
    check_liquidation_beyond_stop(side, leverage, intent.stop_loss, liquidation)
    exposure = OrderExposure(symbol, intent.side, notional, leverage, intent.stop_loss, opens=True)
    await check_futures_risk(state, now, exposure, margin)
    terms = FuturesTerms(
        side,
        leverage,
        mode,
        margin,
        liquidation_price=liquidation,
        funding_rate=now.funding_rate,
        leverage_asked=asked if leverage < asked else None,
    )
    preview = _preview(price, quantity, fee, intent.stop_loss, terms, market.taker_fee)
    risk_percent = intent.amount if intent.amount_unit is AmountUnit.RISK else None
    return _Priced(intent, replace(preview, risk_percent=risk_percent))


async def _quantity(
    intent: OrderIntent, price: Decimal, leverage: Decimal, state: FuturesState, now: MarketNow
) -> Decimal:
    """From the risk asked, the stop's distance giving the size, with the account valued at its marks; else as
    the amount says (_size)."""
    market = now.market
    if intent.amount_unit is AmountUnit.RISK:
        equity = state.book.equity(market.quote, await marks_of(state.book, now))
        fee_rate, step = market.taker_fee, market.amount_step
        return size_from_risk(equity, intent.amount, price, intent.stop_loss, fee_rate, step).quantity
    return market.round_amount(_size(intent, price, leverage, market.taker_fee, now.free))


def _size(
    intent: OrderIntent, price: Decimal, leverage: Decimal, fee_rate: Decimal, free: Decimal
) -> Decimal:
    """The position's size: as given in the coin; or, given in the quote ("with 200 usdt") or as a share of what
    is free, the margin put up, fee included, so that margin and fee come to that much."""
    if intent.amount_unit is AmountUnit.BASE:
        return intent.amount
    put_up = intent.amount if intent.amount_unit is AmountUnit.QUOTE else free * intent.amount / HUNDRED
    if put_up <= 0:
        raise InvalidInput("You have nothing free for margin on your futures account.")
    return put_up * leverage / (price * (1 + fee_rate * leverage))


def _reduction(intent: OrderIntent, side: PositionSide, state: FuturesState, now: MarketNow) -> _Priced:
    """Reducing or closing the position: reduce-only, for no more than it holds."""
    held, market = now.held, now.market
    if held is None or held.side is not side:
        raise InvalidInput(f"You have no {now.base} {side} to reduce or close.")
    if intent.stop_loss is not None or intent.take_profits or intent.stop_loss_percent is not None:
        raise InvalidInput("Reducing a position takes no stop loss or take-profit: send it without them.")
    price = intent.price if intent.price is not None else now.ticker.price_for(intent.side is Side.BUY)
    if intent.amount_unit is AmountUnit.PERCENT:
        quantity = (
            held.size
            if intent.amount == HUNDRED
            else market.round_amount(held.size * intent.amount / HUNDRED)
        )
    else:
        base = intent.amount if intent.amount_unit is AmountUnit.BASE else intent.amount / price
        quantity = market.round_amount(base)
    if quantity <= 0 or quantity > held.size:
        raise InvalidInput(
            f"Your {now.base} {side} is {canonical(held.size)} {now.base}: reduce it by more than nothing and "
            "no more than that."
        )
    after = state.book.apply_fill(
        market.symbol,
        intent.side,
        quantity,
        price,
        ZERO,
        leverage=held.leverage,
        margin_mode=held.margin_mode,
        reduce_only=True,
    ).book
    left = after.positions.get(market.symbol)
    terms = FuturesTerms(
        side,
        held.leverage,
        held.margin_mode,
        ZERO,
        reduce_only=True,
        liquidation_price=None if left is None else after.liquidation_price(market.symbol),
        funding_rate=now.funding_rate,
        closes=left is None,
    )
    preview = _preview(price, quantity, quantity * price * market.taker_fee, None, terms, market.taker_fee)
    return _Priced(intent, replace(preview, at_risk=preview.fee))


def _preview(
    price: Decimal,
    quantity: Decimal,
    fee: Decimal,
    stop: Decimal | None,
    terms: FuturesTerms,
    fee_rate: Decimal,
) -> Preview:
    """At risk: the loss at the stop with both fees; with no stop, the margin (all a liquidation takes)."""
    notional = quantity * price
    if stop is None:
        return Preview(price, quantity, notional, fee, terms.margin + fee, futures=terms)
    distance = abs(price - stop)
    at_risk = loss_at_stop(quantity, price, stop, fee_rate)
    return Preview(
        price, quantity, notional, fee, at_risk, distance, distance / price * HUNDRED, futures=terms
    )
