"""Markets and market data: what a venue trades and at what price."""

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from trading.domain.errors import BelowMinimum, InvalidInput
from trading.domain.futures import MarketType


def parse_symbol(symbol: str) -> tuple[str, str]:
    """'BTC/USDT' or ccxt's perpetual 'BTC/USDT:USDT' -> ('BTC', 'USDT')."""
    pair = symbol.split(":", 1)[0]
    base, sep, quote = pair.partition("/")
    if not sep or not base or not quote:
        raise InvalidInput(f"{symbol!r} is not a market symbol such as BTC/USDT.")
    return base, quote


@dataclass(frozen=True, slots=True)
class Market:
    """A tradable pair with the venue's precision and limits.

    `amount_step` and `price_tick` are the smallest increments; `min_notional` is the least quote value of an order.
    """

    symbol: str
    base: str
    quote: str
    amount_step: Decimal
    price_tick: Decimal
    min_amount: Decimal = Decimal(0)
    min_notional: Decimal = Decimal(0)
    maker_fee: Decimal = Decimal("0.001")
    taker_fee: Decimal = Decimal("0.001")
    # A linear perpetual ('BTC/USDT:USDT') has a market type of FUTURES and the venue's leverage ceiling.
    market_type: MarketType = MarketType.SPOT
    max_leverage: Decimal | None = None

    def round_amount(self, amount: Decimal) -> Decimal:
        """Down to the step: never trade more than asked."""
        return (amount / self.amount_step).to_integral_value(ROUND_DOWN) * self.amount_step

    def round_price(self, price: Decimal) -> Decimal:
        return (price / self.price_tick).to_integral_value(ROUND_HALF_UP) * self.price_tick

    def check_minimums(self, amount: Decimal, price: Decimal) -> None:
        """Raise BelowMinimum with the venue's figure when an order is too small to place."""
        if amount <= 0:
            raise BelowMinimum(
                f"The amount rounds to zero at {self.symbol}'s step of {self.amount_step} {self.base}."
            )
        if amount < self.min_amount:
            raise BelowMinimum(
                f"{amount} {self.base} is below {self.symbol}'s minimum of {self.min_amount} {self.base}."
            )
        notional = amount * price
        if notional < self.min_notional:
            raise BelowMinimum(
                f"An order of {notional:.2f} {self.quote} is below {self.symbol}'s minimum of "
                f"{self.min_notional} {self.quote}."
            )


@dataclass(frozen=True, slots=True)
class Ticker:
    symbol: str
    bid: Decimal
    ask: Decimal
    last: Decimal
    change_24h_pct: Decimal
    timestamp: datetime

    @property
    def mid(self) -> Decimal:
        return (self.bid + self.ask) / 2

    def price_for(self, side_is_buy: bool) -> Decimal:
        """What a market order pays (ask) or gets (bid)."""
        return self.ask if side_is_buy else self.bid


@dataclass(frozen=True, slots=True)
class Candle:
    opened_at: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


@dataclass(frozen=True, slots=True)
class BookLevel:
    price: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class OrderBook:
    """Best first on both sides."""

    symbol: str
    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]
