"""From an intent to a priced, risk-checked draft that waits for the trader's confirmation."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from trading.domain.accounts import ExchangeAccount
from trading.domain.enums import AmountUnit, Side
from trading.domain.errors import InsufficientFunds, InvalidInput
from trading.domain.intents import OrderIntent
from trading.domain.ledger import ZERO, Ledger
from trading.domain.market import Market, Ticker
from trading.domain.money import HUNDRED
from trading.domain.orders import OrderDraft, Preview
from trading.domain.risk import (
    OrderExposure,
    RiskContext,
    effective_limits,
)
from trading.domain.risk_sizing import loss_at_stop, size_from_risk
from trading.ports import ExchangeGateway
from trading.usecases.core import Core, account_in, new_draft_id
from trading.usecases.futures_drafting import draft_futures_order
from trading.usecases.order_metrics import risk_checked
from trading.usecases.pricing import (
    brackets_priced,
    check_brackets,
    check_trigger,
    fills_at_once_near,
    free_of,
    pair_of,
    validate_intent,
)
from trading.usecases.routing import is_futures_account, wants_futures

# How long a preview left unconfirmed is kept past its expiry: a late tap on its Confirm is still told that it
# expired, rather than that it is unknown. Then it only takes room (every message and signal makes one).
EXPIRED_DRAFTS_KEPT = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class _Priced:
    market: Market
    ticker: Ticker
    price: Decimal
    quantity: Decimal


async def draft_order(
    core: Core,
    user_id: int,
    intent: OrderIntent,
    account_id: int | None = None,
    *,
    spot_for: timedelta | None = None,
) -> OrderDraft:
    """Price an order, check it against the account and the risk limits, and keep it for confirmation: a short
    or a leveraged one on the user's futures account (trading.usecases.futures_drafting), never on spot.
    `spot_for`: a spot order kept that long, for the bot to confirm itself (a trailing entry); a futures one is
    refused.

    Raises a TradingError with the reason when the order cannot be placed as asked; nothing is written then.
    """
    if wants_futures(intent.side, intent.position, intent.leverage) or await is_futures_account(
        core, user_id, account_id
    ):
        if spot_for is not None:
            raise InvalidInput("A trailing entry buys spot coins: not on a futures account.")
        return await draft_futures_order(core, user_id, intent, account_id)
    _validate(intent)
    # Only what adds risk answers to the daily loss limit.
    today = core.clock.now().date() if intent.side is Side.BUY else None
    async with core.uow(read_only=True) as uow:
        books = await uow.ledgers.of_user(user_id, realised_since=today)
    account = account_in(books.accounts, account_id)
    limits = effective_limits(core.config.limits, books.overrides)
    ledger, realised_today = books.ledgers[account.id], books.realised[account.id]
    gateway = await core.exchanges.gateway(account)
    symbol = pair_of(intent.symbol, intent.quote, core.config.paper_quote)
    locked = await _locked_by_own_stops(core, gateway, account, symbol, intent)
    context = await risk_context(gateway, ledger, await gateway.market(symbol), realised_today)
    priced = await _price(gateway, symbol, intent, locked, context.equity)
    check_trigger(intent.side, intent.order_type, intent.price, priced.ticker)
    # Only a buy carries them (_validate): its stop sits below its price, its targets above.
    intent = brackets_priced(intent, priced.market, priced.price, below=True)
    check_brackets(intent, priced.price, Side.BUY)
    exposure = OrderExposure(
        priced.market.symbol,
        intent.side,
        priced.quantity * priced.price,
        intent.leverage,
        intent.stop_loss,
        opens=intent.side is Side.BUY,
    )
    risk_checked(gateway.name, exposure, context, limits)
    now = core.clock.now()
    draft = OrderDraft(
        id=new_draft_id(),
        user_id=user_id,
        account_id=account.id,
        symbol=priced.market.symbol,
        side=intent.side,
        order_type=intent.order_type,
        quantity=priced.quantity,
        price=intent.price and priced.market.round_price(intent.price),
        preview=_preview(intent, priced),
        created_at=now,
        expires_at=now + (spot_for or core.config.draft_ttl),
        stop_loss=intent.stop_loss,
        take_profits=intent.take_profits,
        leverage=intent.leverage,
    )
    async with core.uow(durable=False) as uow:  # lost in a crash, it is only asked for again
        await uow.drafts.add(draft)
        await uow.commit()
    return draft


def _validate(intent: OrderIntent) -> None:
    validate_intent(intent)
    if intent.margin_mode is not None:
        raise InvalidInput(
            "A margin mode goes with a futures order: choose your futures account, or leave it out."
        )
    brackets = intent.stop_loss, intent.stop_loss_percent, intent.take_profits, intent.take_profit_percents
    if intent.side is Side.SELL and any(b is not None and b != () for b in brackets):
        # The core arms a stop and targets for what a buy fills; on a spot sale they would act on nothing.
        raise InvalidInput(
            "A stop loss or take-profit goes with a buy: a sale closes what you hold, so it would have "
            "nothing to act on. Send the sale without it."
        )


async def _locked_by_own_stops(
    core: Core, gateway: ExchangeGateway, account: ExchangeAccount, symbol: str, intent: OrderIntent
) -> Decimal:
    """Coins the venue shows as locked by our own stops resting there: a sale by hand lifts those stops first
    (trading.usecases.venue_stops.sell_by_hand), so they count as free for it."""
    if intent.side is not Side.SELL or not await gateway.holds_stops(symbol):
        return ZERO
    async with core.uow(read_only=True) as uow:
        resting = await uow.orders.resting_stops(account.id, symbol)
    return sum((o.quantity - o.filled for o in resting), ZERO)


async def _price(
    gateway: ExchangeGateway, symbol: str, intent: OrderIntent, locked_by_own_stops: Decimal, equity: Decimal
) -> _Priced:
    market = await gateway.market(symbol)
    ticker = await gateway.ticker(symbol)
    buying = intent.side is Side.BUY
    price = intent.price if intent.price is not None else ticker.price_for(buying)
    balances = await gateway.balances()
    free_quote = free_of(balances, market.quote)
    free_base = free_of(balances, market.base) + locked_by_own_stops
    with_fee = price * (1 + market.taker_fee)
    if intent.amount_unit is AmountUnit.BASE:
        raw = intent.amount
    elif intent.amount_unit is AmountUnit.QUOTE:
        raw = intent.amount / with_fee if buying else intent.amount / price
    elif intent.amount_unit is AmountUnit.RISK:  # a buy (_validate): its stop below the price
        stopped = brackets_priced(intent, market, price, below=True)
        check_brackets(stopped, price, Side.BUY)
        sized = size_from_risk(
            equity, intent.amount, price, stopped.stop_loss, market.taker_fee, market.amount_step
        )
        raw = sized.quantity
    else:
        held = free_quote if buying else free_base
        if held <= 0:
            asset = market.quote if buying else market.base
            found = balances.get(asset)
            if found is not None and found.total > 0:
                raise InsufficientFunds(
                    f"All your {asset} is held by open orders: cancel one first ('orders' lists them)."
                )
            raise InsufficientFunds(f"You have no {asset} free to {'spend' if buying else 'sell'}.")
        raw = (held / with_fee if buying else held) * intent.amount / HUNDRED
    quantity = market.round_amount(raw)
    market.check_minimums(quantity, price)
    if buying and quantity * with_fee > free_quote:
        raise InsufficientFunds(
            f"This needs {quantity * with_fee:,.2f} {market.quote} with fees; {free_quote:,.2f} is available."
        )
    if not buying and quantity > free_base:
        raise InsufficientFunds(f"You have {free_base} {market.base} free, less than the {quantity} to sell.")
    return _Priced(market, ticker, price, quantity)


async def risk_context(
    gateway: ExchangeGateway, ledger: Ledger, market: Market, realised_today: Decimal
) -> RiskContext:
    """The account valued at the bid, as a new order in `market` would find it."""
    equity = ledger.balance(market.quote)
    position_value = ZERO
    open_positions = 0
    for position in ledger.open_positions():
        value = position.quantity * (await gateway.ticker(position.symbol)).bid
        equity += value
        open_positions += 1
        if position.symbol == market.symbol:
            position_value = value
    return RiskContext(
        market.quote, equity, position_value, open_positions, position_value > 0, realised_today
    )


def _preview(intent: OrderIntent, priced: _Priced) -> Preview:
    price, quantity, market = priced.price, priced.quantity, priced.market
    cost = quantity * price
    fee = cost * market.taker_fee
    near = fills_at_once_near(intent.side, intent.order_type, intent.price, priced.ticker)
    stop = intent.stop_loss
    if stop is not None:
        distance = abs(price - stop)
        return Preview(
            price,
            quantity,
            cost,
            fee,
            loss_at_stop(quantity, price, stop, market.taker_fee),
            distance,
            distance / price * HUNDRED,
            fills_at_once_near=near,
            risk_percent=intent.amount if intent.amount_unit is AmountUnit.RISK else None,
        )
    at_risk = cost + fee if intent.side is Side.BUY else fee
    return Preview(price, quantity, cost, fee, at_risk, fills_at_once_near=near)


async def purge_expired_drafts(core: Core) -> int:
    """Delete the drafts that expired more than EXPIRED_DRAFTS_KEPT ago and became no order; how many."""
    async with core.uow() as uow:
        purged = await uow.drafts.delete_expired_before(core.clock.now() - EXPIRED_DRAFTS_KEPT)
        await uow.commit()
    return purged
