"""A simulated market: a seeded random walk per symbol, deterministic for a seed and a clock.

Prices advance one step a second of the clock. History before start-up (for candles and the 24h change) is a
walk backwards from the starting price, one point a minute.
"""

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from trading.domain.errors import InvalidInput, UnknownSymbol
from trading.domain.market import BookLevel, Candle, Market, OrderBook, Ticker
from trading.market.catalog import CRYPTO, MIN_NOTIONAL, AssetSpec
from trading.ports import Clock

HISTORY_MINUTES = 24 * 60
HALF_SPREAD = Decimal("0.00005")
TIMEFRAMES = {"1m": 1, "5m": 5, "15m": 15, "1h": 60, "4h": 240, "1d": 1440}


@dataclass(slots=True)
class _Walk:
    spec: AssetSpec
    rng: random.Random
    step: int
    price: float
    history: list[float]  # one close a minute, oldest first, ending at the start price


class SimulatedMarket:
    def __init__(self, clock: Clock, seed: int = 42, quote: str = "USDT", step_seconds: float = 1.0) -> None:
        self._clock = clock
        self._seed = seed
        self._quote = quote
        self._step_seconds = step_seconds
        self._origin = clock.now()
        self._specs = {f"{spec.base}/{quote}": spec for spec in CRYPTO}
        self._markets = {symbol: self._market(symbol, spec) for symbol, spec in self._specs.items()}
        self._walks: dict[str, _Walk] = {}
        # The last book drawn per symbol and depth, and the last ticker per symbol, with the step and price
        # each was drawn at: neither changes until the walk moves, and every price shown, order previewed and
        # order placed asks for them (a ticker's Decimal arithmetic cost as much as a statement).
        self._books: dict[tuple[str, int], tuple[int, float, OrderBook]] = {}
        self._tickers: dict[str, tuple[int, float, Ticker]] = {}
        self._price_set: list[Callable[[str], None]] = []

    def _market(self, symbol: str, spec: AssetSpec) -> Market:
        return Market(
            symbol=symbol,
            base=spec.base,
            quote=self._quote,
            amount_step=spec.amount_step,
            price_tick=spec.price_tick,
            min_amount=spec.amount_step,
            min_notional=MIN_NOTIONAL,
        )

    # MarketData

    async def markets(self) -> Mapping[str, Market]:
        return self._markets

    async def market(self, symbol: str) -> Market:
        return self.market_now(symbol)

    async def ticker(self, symbol: str) -> Ticker:
        return self.ticker_now(symbol)

    async def order_book(self, symbol: str, depth: int = 10) -> OrderBook:
        return self.book_now(symbol, depth)

    async def candles(self, symbol: str, timeframe: str = "1h", limit: int = 100) -> Sequence[Candle]:
        minutes = TIMEFRAMES.get(timeframe)
        if minutes is None:
            raise InvalidInput(f"Timeframe {timeframe!r} is not one of {', '.join(TIMEFRAMES)}.")
        walk = self._advance(symbol)
        closes = [*walk.history, walk.price]
        end = self._clock.now().replace(second=0, microsecond=0)
        candles: list[Candle] = []
        for index in range(max(0, len(closes) - minutes * limit), len(closes), minutes):
            chunk = closes[index : index + minutes]
            opened_at = end - timedelta(minutes=len(closes) - 1 - index)
            spec = walk.spec
            candles.append(
                Candle(
                    opened_at=opened_at,
                    open=self._round(chunk[0], spec),
                    high=self._round(max(chunk), spec),
                    low=self._round(min(chunk), spec),
                    close=self._round(chunk[-1], spec),
                    volume=(Decimal(len(chunk)) * spec.level_notional / Decimal(str(chunk[-1]))).quantize(
                        spec.amount_step
                    ),
                )
            )
        return candles[-limit:]

    # Synchronous views, for the paper exchange that matches against them.

    def market_now(self, symbol: str) -> Market:
        market = self._markets.get(symbol)
        if market is None:
            raise UnknownSymbol(f"{symbol} is not traded here.")
        return market

    def step(self) -> int:
        return int((self._clock.now() - self._origin).total_seconds() // self._step_seconds)

    def seconds_to_next_step(self) -> float:
        """Seconds until the walk's next step, by the clock."""
        elapsed = (self._clock.now() - self._origin).total_seconds()
        return max(0.0, (self.step() + 1) * self._step_seconds - elapsed)

    def on_price_set(self, listener: Callable[[str], None]) -> None:
        """`listener(symbol)` is called after each set_price: a feed pushes the new price at once."""
        self._price_set.append(listener)

    def ticker_now(self, symbol: str) -> Ticker:
        walk = self._advance(symbol)
        drawn = self._tickers.get(symbol)
        if drawn is not None and drawn[0] == walk.step and drawn[1] == walk.price:
            return drawn[2]
        ticker = self._draw_ticker(symbol, walk)
        self._tickers[symbol] = (walk.step, walk.price, ticker)
        return ticker

    def _draw_ticker(self, symbol: str, walk: _Walk) -> Ticker:
        mid = Decimal(str(walk.price))
        market = self._markets[symbol]
        bid, ask = self._quotes(mid, market)
        day_ago = Decimal(str(walk.history[max(0, len(walk.history) - HISTORY_MINUTES)]))
        change = (mid / day_ago - 1) * 100
        return Ticker(
            symbol,
            bid,
            ask,
            self._round(walk.price, walk.spec),
            change.quantize(Decimal("0.01")),
            self._clock.now(),
        )

    def book_now(self, symbol: str, depth: int = 10) -> OrderBook:
        walk = self._advance(symbol)
        drawn = self._books.get((symbol, depth))
        if drawn is not None and drawn[0] == walk.step and drawn[1] == walk.price:
            return drawn[2]
        book = self._draw_book(symbol, walk, depth)
        self._books[symbol, depth] = (walk.step, walk.price, book)
        return book

    def _draw_book(self, symbol: str, walk: _Walk, depth: int) -> OrderBook:
        market = self._markets[symbol]
        bid, ask = self._quotes(Decimal(str(walk.price)), market)
        gap = max(market.price_tick, market.round_price(ask * HALF_SPREAD * 2))

        def level(price: Decimal, index: int) -> BookLevel:
            # Deeper levels hold more, as on a real book.
            amount = market.round_amount(walk.spec.level_notional * (1 + Decimal(index) / 2) / price)
            return BookLevel(price, amount)

        asks = tuple(level(ask + gap * i, i) for i in range(depth))
        bids = tuple(level(bid - gap * i, i) for i in range(depth) if bid - gap * i > 0)
        return OrderBook(symbol, bids, asks)

    def set_price(self, symbol: str, price: Decimal) -> None:
        """Move a market to a price (sandbox demos and tests); the walk goes on from there."""
        if price <= 0:
            raise InvalidInput("A price must be positive.")
        self._advance(symbol).price = float(price)
        for listener in self._price_set:
            listener(symbol)

    # The walk

    def _advance(self, symbol: str) -> _Walk:
        walk = self._walks.get(symbol) or self._start(symbol)
        target = self.step()
        sigma = walk.spec.volatility
        while walk.step < target:
            walk.price *= math.exp(walk.rng.gauss(0.0, sigma))
            walk.step += 1
            if walk.step % 60 == 0:
                walk.history.append(walk.price)
        return walk

    def _start(self, symbol: str) -> _Walk:
        spec = self._specs.get(symbol)
        if spec is None:
            raise UnknownSymbol(f"{symbol} is not traded here.")
        rng = random.Random(f"{self._seed}:{symbol}")
        start = float(spec.start_price)
        history = [start]
        minute_sigma = spec.volatility * math.sqrt(60)
        for _ in range(HISTORY_MINUTES):
            history.append(history[-1] * math.exp(rng.gauss(0.0, minute_sigma)))
        history.reverse()
        walk = _Walk(spec, rng, 0, start, history)
        self._walks[symbol] = walk
        return walk

    def _quotes(self, mid: Decimal, market: Market) -> tuple[Decimal, Decimal]:
        tick = market.price_tick
        bid = (mid * (1 - HALF_SPREAD) / tick).to_integral_value(ROUND_FLOOR) * tick
        ask = (mid * (1 + HALF_SPREAD) / tick).to_integral_value(ROUND_CEILING) * tick
        return bid, max(ask, bid + tick)

    @staticmethod
    def _round(price: float, spec: AssetSpec) -> Decimal:
        return Decimal(str(price)).quantize(spec.price_tick)
