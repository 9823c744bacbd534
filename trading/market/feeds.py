"""Price feeds without a websocket: the simulated market's own, pushed as its prices change, and polling of a
venue's REST API for venues that push nothing."""

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from trading.domain.errors import TradingError, UnknownSymbol
from trading.domain.market import Ticker
from trading.exchanges.retry import Backoff
from trading.market.simulated import SimulatedMarket
from trading.market.ticks import TickHub, TickStream
from trading.ports import MarketData

log = logging.getLogger(__name__)


class SimulatedPriceFeed:
    """The simulated market's prices, pushed when they change: at once when a price is set on it (tests, demos),
    and at each step of its walk. Its latest price is the market's own, always current."""

    def __init__(self, market: SimulatedMarket) -> None:
        self._market = market
        self._hub = TickHub()
        self._stepping: asyncio.Task[None] | None = None
        self._closed = False
        market.on_price_set(self._price_set)

    def watch(self, symbols: Iterable[str]) -> None:
        for symbol in self._hub.admit(symbols):
            ticker = self.latest(symbol)
            if ticker is None:
                log.warning("prices: the simulated market does not list %s", symbol)
                self._hub.drop(symbol)
            else:
                self._hub.publish(ticker)
        if self._hub.watched and self._stepping is None and not self._closed:
            self._stepping = asyncio.get_running_loop().create_task(self._follow_the_walk())

    def latest(self, symbol: str) -> Ticker | None:
        try:
            return self._market.ticker_now(symbol)
        except UnknownSymbol:
            return None

    def subscribe(self) -> TickStream:
        return self._hub.subscribe()

    async def close(self) -> None:
        self._closed = True
        if self._stepping is not None:
            self._stepping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._stepping
        self._hub.close()

    def _price_set(self, symbol: str) -> None:
        if symbol in self._hub.watched and not self._closed:
            self._hub.publish(self._market.ticker_now(symbol))

    async def _follow_the_walk(self) -> None:
        while True:
            await asyncio.sleep(self._market.seconds_to_next_step())
            for symbol in list(self._hub.watched):
                ticker = self._market.ticker_now(symbol)
                if ticker is not self._hub.latest(symbol):  # the market draws a new ticker only when it moved
                    self._hub.publish(ticker)


class PollingPriceFeed:
    """A venue's tickers asked for every `every_seconds`, for a venue with no websocket in ccxt. A symbol the
    venue does not list is dropped; while the venue cannot be reached, the symbols it failed on have no latest
    price and the polls back off."""

    def __init__(
        self, market: MarketData, every_seconds: float = 1.0, backoff: Backoff | None = None
    ) -> None:
        self._market = market
        self._every = every_seconds
        self._backoff = backoff or Backoff()
        self._hub = TickHub()
        self._added = asyncio.Event()
        self._polling: asyncio.Task[None] | None = None

    def watch(self, symbols: Iterable[str]) -> None:
        if not self._hub.admit(symbols):
            return
        self._added.set()  # polled at once, not at the next round
        if self._polling is None:
            self._polling = asyncio.get_running_loop().create_task(self._poll())

    def latest(self, symbol: str) -> Ticker | None:
        return self._hub.latest(symbol)

    def subscribe(self) -> TickStream:
        return self._hub.subscribe()

    async def close(self) -> None:
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
        self._hub.close()

    async def _poll(self) -> None:
        failures = 0
        while True:
            self._added.clear()
            failures = 0 if await self._poll_round() else failures + 1
            pause = max(self._every, self._backoff.delay(failures)) if failures else self._every
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._added.wait(), pause)

    async def _poll_round(self) -> bool:
        """One ticker per watched symbol; whether every one was had."""
        every_one = True
        for symbol in list(self._hub.watched):
            try:
                self._hub.publish(await self._market.ticker(symbol))
            except UnknownSymbol as error:
                log.warning("prices: %s dropped: %s", symbol, error)
                self._hub.drop(symbol)
            except TradingError as error:
                log.warning("prices: no price for %s now: %s", symbol, error)
                self._hub.forget(symbol)
                every_one = False
        return every_one
