"""From an intent to a priced, risk-checked draft that waits for the trader's confirmation."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

from trading.domain.accounts import AssetBalance, ExchangeAccount
from trading.domain.enums import AmountUnit, OrderType, Side
from trading.domain.errors import InsufficientFunds, InvalidInput, InvalidOrder, UnknownSymbol
from trading.domain.intents import OrderIntent
from trading.domain.ledger import ZERO, Ledger
from trading.domain.market import Market, Ticker
from trading.domain.money import HUNDRED, at_distance, price_text
from trading.domain.orders import OrderDraft, Preview
from trading.domain.risk import (
    OrderExposure,
    RiskContext,
    check_risk,
    effective_limits,
    margin_multiple,
)
from trading.ports import ExchangeGateway
from trading.usecases.core import Core, account_of, new_draft_id

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
    core: Core, user_id: int, intent: OrderIntent, account_id: int | None = None
) -> OrderDraft:
    """Price an order, check it against the account and the risk limits, and keep it for confirmation.

    Raises a TradingError with the reason when the order cannot be placed as asked; nothing is written then.
    """
    _validate(intent)
    refuse_leverage(intent.leverage)
    async with core.uow(read_only=True) as uow:
        account = await account_of(uow, user_id, account_id)
        ledger = await uow.ledgers.load(account.id)
        limits = effective_limits(core.config.limits, await uow.risk_settings.get(user_id))
        realised_today = ZERO
        if intent.side is Side.BUY:  # only what adds risk answers to the daily loss limit
            today = core.clock.now().date()
            realised_today = sum((await uow.ledgers.pnl_by_day(account.id, today)).values(), ZERO)
    gateway = await core.exchanges.gateway(account)
    symbol = pair_of(intent.symbol, intent.quote, core.config.paper_quote)
    locked = await _locked_by_own_stops(core, gateway, account, symbol, intent)
    priced = await _price(gateway, symbol, intent, locked)
    check_trigger(intent.side, intent.order_type, intent.price, priced.ticker)
    intent = _brackets_priced(intent, priced)
    _check_brackets(intent, priced.price)
    context = await risk_context(gateway, ledger, priced.market, realised_today)
    exposure = OrderExposure(
        priced.market.symbol, intent.side, priced.quantity * priced.price, intent.leverage, intent.stop_loss
    )
    check_risk(exposure, context, limits)
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
        expires_at=now + core.config.draft_ttl,
        stop_loss=intent.stop_loss,
        take_profits=intent.take_profits,
        leverage=intent.leverage,
    )
    async with core.uow() as uow:
        await uow.drafts.add(draft)
        await uow.commit()
    return draft


def free_of(balances: Mapping[str, AssetBalance], asset: str) -> Decimal:
    """What the account can spend of an asset now: nothing where the venue lists none."""
    found = balances.get(asset)
    return found.free if found is not None else ZERO


def refuse_leverage(leverage: Decimal | None) -> None:
    """No exchange gateway sets a venue's leverage (the paper venue trades spot; ccxt orders go out as they are):
    a leveraged order would be placed unleveraged, at its full size, so none is taken."""
    if margin_multiple(leverage) is not None:
        raise InvalidOrder(
            f"Leverage ({leverage}x) is not available yet: orders are placed as spot orders, at their full "
            "size. Send it again without leverage."
        )


def _validate(intent: OrderIntent) -> None:
    if intent.amount <= 0:
        raise InvalidInput("The amount must be more than zero.")
    if intent.amount_unit is AmountUnit.PERCENT and intent.amount > HUNDRED:
        raise InvalidInput("A share of a balance cannot be more than 100%.")
    if intent.order_type is not OrderType.MARKET and (intent.price is None or intent.price <= 0):
        raise InvalidInput(f"A {intent.order_type.value} order needs a price above zero.")
    if intent.leverage is not None and intent.leverage <= 0:
        raise InvalidInput("Leverage must be above zero.")
    brackets = intent.stop_loss, intent.stop_loss_percent, intent.take_profits, intent.take_profit_percents
    if intent.side is Side.SELL and any(b is not None and b != () for b in brackets):
        # The core arms a stop and targets for what a buy fills; on a spot sale they would act on nothing.
        raise InvalidInput(
            "A stop loss or take-profit goes with a buy: a sale closes what you hold, so it would have "
            "nothing to act on. Send the sale without it."
        )
    if intent.stop_loss_percent is not None and not 0 < intent.stop_loss_percent < HUNDRED:
        raise InvalidInput("A stop's distance from the price must be above 0% and below 100%.")
    if any(p <= 0 for p in intent.take_profit_percents):
        raise InvalidInput("A take-profit's distance from the price must be above 0%.")


def pair_of(symbol: str, quote: str | None, default_quote: str) -> str:
    """'btc' -> 'BTC/USDT'; a pair as given stays as it is."""
    ticker = symbol.strip().upper()
    if "/" in ticker:
        return ticker
    if not ticker.isalnum():
        raise UnknownSymbol(f"{symbol!r} is not a ticker.")
    return f"{ticker}/{(quote or default_quote).upper()}"


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
    gateway: ExchangeGateway, symbol: str, intent: OrderIntent, locked_by_own_stops: Decimal = ZERO
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


def _brackets_priced(intent: OrderIntent, priced: _Priced) -> OrderIntent:
    """A stop or take-profits given as distances ("a 5% stop") become prices, from the order's price: the
    preview then shows them as the prices the core will act on, before anything is placed. A price given
    outright is kept as it is."""
    if intent.stop_loss_percent is None and not intent.take_profit_percents:
        return intent
    # Only a buy carries them (_validate): its stop sits below its price, its targets above.
    market, price = priced.market, priced.price
    stop = intent.stop_loss
    if stop is None and intent.stop_loss_percent is not None:
        stop = market.round_price(at_distance(price, intent.stop_loss_percent, below=True))
    targets = intent.take_profits or tuple(
        market.round_price(at_distance(price, p, below=False)) for p in intent.take_profit_percents
    )
    return replace(
        intent, stop_loss=stop, take_profits=targets, stop_loss_percent=None, take_profit_percents=()
    )


def check_trigger(side: Side, order_type: OrderType, price: Decimal | None, ticker: Ticker) -> None:
    """A stop order the market has already reached would trade at once, at market: not what a stop is for."""
    if order_type is not OrderType.STOP or price is None:
        return
    if side is Side.SELL and price >= ticker.bid:
        raise InvalidInput(
            f"A stop to sell at {price_text(price)} is not below the price now ({price_text(ticker.bid)}): it "
            "would sell at "
            "once. Give a stop below the price, or sell at market."
        )
    if side is Side.BUY and price <= ticker.ask:
        raise InvalidInput(
            f"A stop to buy at {price_text(price)} is not above the price now ({price_text(ticker.ask)}): it "
            "would buy at "
            "once. Give a stop above the price, or buy at market."
        )


def _check_brackets(intent: OrderIntent, price: Decimal) -> None:
    """A stop or a target on the wrong side of a buy's price is a mistake to point out, never to 'fix'."""
    if intent.stop_loss is not None and intent.stop_loss >= price:
        raise InvalidInput(f"A stop loss for a buy must be below the price ({price_text(price)}).")
    for target in intent.take_profits:
        if target <= price:
            raise InvalidInput(
                f"Take-profit {price_text(target)} must be above the price ({price_text(price)}) for a buy."
            )


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
    stop = intent.stop_loss
    if stop is not None:
        distance = abs(price - stop)
        at_risk = quantity * distance + fee + quantity * stop * market.taker_fee
        return Preview(price, quantity, cost, fee, at_risk, distance, distance / price * HUNDRED)
    at_risk = cost + fee if intent.side is Side.BUY else fee
    return Preview(price, quantity, cost, fee, at_risk)


async def purge_expired_drafts(core: Core) -> int:
    """Delete the drafts that expired more than EXPIRED_DRAFTS_KEPT ago and became no order; how many."""
    async with core.uow() as uow:
        purged = await uow.drafts.delete_expired_before(core.clock.now() - EXPIRED_DRAFTS_KEPT)
        await uow.commit()
    return purged
