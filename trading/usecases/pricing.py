"""What every preview shares, spot or futures: the pair a ticker names, what an account has free of an asset,
whether a stop order would trade at once, and an intent's own checks and bracket prices."""

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

from trading.domain.accounts import AssetBalance
from trading.domain.enums import AmountUnit, OrderType, Side
from trading.domain.errors import InvalidInput, UnknownSymbol
from trading.domain.intents import OrderIntent
from trading.domain.ledger import ZERO
from trading.domain.market import Market, Ticker
from trading.domain.money import HUNDRED, at_distance, price_text
from trading.domain.risk_sizing import NEEDS_A_STOP, check_risk_percent


def free_of(balances: Mapping[str, AssetBalance], asset: str) -> Decimal:
    """What the account can spend of an asset now: nothing where the venue lists none."""
    found = balances.get(asset)
    return found.free if found is not None else ZERO


def pair_of(symbol: str, quote: str | None, default_quote: str) -> str:
    """'btc' -> 'BTC/USDT'; a pair as given stays as it is."""
    ticker = symbol.strip().upper()
    if "/" in ticker:
        return ticker
    if not ticker.isalnum():
        raise UnknownSymbol(f"{symbol!r} is not a ticker.")
    return f"{ticker}/{(quote or default_quote).upper()}"


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


def fills_at_once_near(
    side: Side, order_type: OrderType, price: Decimal | None, ticker: Ticker
) -> Decimal | None:
    """The price now where a limit order stands on the wrong side of it (a buy above the ask, a sell below the
    bid): the venue fills it at once, near that price, rather than waiting for `price`. None otherwise."""
    if order_type is not OrderType.LIMIT or price is None:
        return None
    if side is Side.BUY and price > ticker.ask:
        return ticker.ask
    if side is Side.SELL and price < ticker.bid:
        return ticker.bid
    return None


def validate_intent(intent: OrderIntent) -> None:
    """What any order needs, spot or futures."""
    if intent.amount <= 0:
        raise InvalidInput("The amount must be more than zero.")
    if intent.amount_unit is AmountUnit.PERCENT and intent.amount > HUNDRED:
        raise InvalidInput("A share of a balance cannot be more than 100%.")
    if intent.order_type is not OrderType.MARKET and (intent.price is None or intent.price <= 0):
        raise InvalidInput(f"A {intent.order_type.value} order needs a price above zero.")
    if intent.amount_unit is AmountUnit.RISK:
        check_risk_percent(intent.amount)
        if intent.stop_loss is None and intent.stop_loss_percent is None:
            raise InvalidInput(NEEDS_A_STOP)
    if intent.leverage is not None and intent.leverage <= 0:
        raise InvalidInput("Leverage must be above zero.")
    if intent.stop_loss_percent is not None and not 0 < intent.stop_loss_percent < HUNDRED:
        raise InvalidInput("A stop's distance from the price must be above 0% and below 100%.")
    if any(p <= 0 for p in intent.take_profit_percents):
        raise InvalidInput("A take-profit's distance from the price must be above 0%.")


def brackets_priced(intent: OrderIntent, market: Market, price: Decimal, *, below: bool) -> OrderIntent:
    """A stop or take-profits given as distances ("a 5% stop") become prices, from the order's price: the
    preview then shows them as the prices the core will act on, before anything is placed. A price given
    outright is kept as it is. `below`: the stop sits below the price and the targets above (a long's)."""
    if intent.stop_loss_percent is None and not intent.take_profit_percents:
        return intent
    stop = intent.stop_loss
    if stop is None and intent.stop_loss_percent is not None:
        stop = market.round_price(at_distance(price, intent.stop_loss_percent, below=below))
    targets = intent.take_profits or tuple(
        market.round_price(at_distance(price, p, below=not below)) for p in intent.take_profit_percents
    )
    return replace(
        intent, stop_loss=stop, take_profits=targets, stop_loss_percent=None, take_profit_percents=()
    )


def check_brackets(intent: OrderIntent, price: Decimal, opening: Side) -> None:
    """A stop or a target on the wrong side of the price is a mistake to point out, never to 'fix': a buy's
    (a long's) stop below it and targets above, a short's the other way round."""
    order = "a buy" if opening is Side.BUY else "a short"
    below = opening is Side.BUY
    stop = intent.stop_loss
    if stop is not None and (stop >= price if below else stop <= price):
        where = "below" if below else "above"
        raise InvalidInput(f"A stop loss for {order} must be {where} the price ({price_text(price)}).")
    for target in intent.take_profits:
        if target <= price if below else target >= price:
            where = "above" if below else "below"
            raise InvalidInput(
                f"Take-profit {price_text(target)} must be {where} the price ({price_text(price)}) for {order}."
            )
