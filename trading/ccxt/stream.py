"""Live prices of a ccxt venue through ccxt.pro: its websocket ticker stream (`watch_ticker`); for a venue that
streams trades only (Bitstamp, Gemini), its trade stream (`watch_trades`), each trade's price standing for the
bid and the ask (as the last price does where a venue's ticker leaves them out); for a venue with neither, its
REST ticker polled.

Each watched symbol has a loop of its own around its `watch_*` call, as ccxt's manual shows it: ccxt opens the
connection, subscribes and, after the connection drops, dials again on the next call. A failure (the connection
lost, refused, an error from the venue) takes the symbol's price away until a tick comes again, and the loop
waits with exponential back-off before it watches again.
"""

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from trading.ccxt.client import CcxtSession, CcxtVenueConfig
from trading.ccxt.convert import ticker_from_ccxt
from trading.ccxt.market_data import CcxtMarketData
from trading.domain.errors import TradingError, UnknownSymbol
from trading.domain.market import Ticker
from trading.exchanges.retry import Backoff, Sleep
from trading.market.feeds import PollingPriceFeed
from trading.market.ticks import TickHub, TickStream
from trading.ports import MarketData, PriceFeed

log = logging.getLogger(__name__)

# watch_ticker's parameters, per venue: Binance's default stream is its mini ticker, which has no bid and ask.
WATCH_TICKER_PARAMS: Mapping[str, Mapping[str, Any]] = {
    venue: {"name": "ticker"} for venue in ("binance", "binanceus", "binanceusdm", "binancecoinm")
}


def streams_prices(client: Any) -> bool:
    """Whether ccxt streams this venue's tickers or trades over a websocket (ccxt's `has`)."""
    return bool(client.has.get("watchTicker") or client.has.get("watchTrades"))


class CcxtPriceFeed:
    """The venue's ticker (else trade) stream, one loop per symbol, on a session of a ccxt.pro client (the
    session is the caller's: closing the feed stops the loops, not the client)."""

    def __init__(
        self, session: CcxtSession, backoff: Backoff | None = None, sleep: Sleep = asyncio.sleep
    ) -> None:
        self._session = session
        self._backoff = backoff or Backoff()
        self._trades_only = not session.client.has.get("watchTicker")
        self._sleep = sleep
        self._hub = TickHub()
        self._loops: dict[str, asyncio.Task[None]] = {}

    def watch(self, symbols: Iterable[str]) -> None:
        for symbol in self._hub.admit(symbols):
            self._loops[symbol] = asyncio.get_running_loop().create_task(self._follow(symbol))

    def latest(self, symbol: str) -> Ticker | None:
        return self._hub.latest(symbol)

    def subscribe(self) -> TickStream:
        return self._hub.subscribe()

    async def close(self) -> None:
        loops = list(self._loops.values())
        for task in loops:
            task.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        self._loops.clear()
        self._hub.close()

    async def _follow(self, symbol: str) -> None:
        failures = 0
        while True:
            try:
                ticker = await self._next(symbol)
            except UnknownSymbol as error:
                log.warning("prices: %s dropped: %s", symbol, error)
                self._hub.drop(symbol)
                return
            except TradingError as error:
                self._hub.forget(symbol)
                failures += 1
                delay = self._backoff.delay(failures)
                log.warning("prices: %s stream down (%s); watching again in %.3fs", symbol, error, delay)
                await self._sleep(delay)
                continue
            failures = 0
            if ticker is not None:
                self._hub.publish(ticker)

    async def _next(self, symbol: str) -> Ticker | None:
        client = self._session.client
        if not self._trades_only:
            params = dict(WATCH_TICKER_PARAMS.get(self._session.exchange_id, {}))
            raw = await self._session.once(lambda: client.watch_ticker(symbol, params), symbol)
            return ticker_from_ccxt(raw, symbol)
        trades = await self._session.once(lambda: client.watch_trades(symbol), symbol)
        if not trades:
            return None
        last = trades[-1]
        return ticker_from_ccxt({"last": last["price"], "timestamp": last["timestamp"]}, symbol)


class VenuePrices:
    """A ccxt venue's public data and live prices on one ccxt.pro client: its websocket where ccxt streams the
    venue's tickers or trades, else its REST ticker polled every `poll_seconds`."""

    def __init__(
        self, config: CcxtVenueConfig, poll_seconds: float = 1.0, backoff: Backoff | None = None
    ) -> None:
        self._session = CcxtSession.open(config, streaming=True)
        self.market: MarketData = CcxtMarketData(self._session)
        self.feed: PriceFeed
        if streams_prices(self._session.client):
            self.feed = CcxtPriceFeed(self._session, backoff)
        else:
            self.feed = PollingPriceFeed(self.market, poll_seconds, backoff)

    @property
    def streaming(self) -> bool:
        return isinstance(self.feed, CcxtPriceFeed)

    async def close(self) -> None:
        await self.feed.close()
        await self._session.close()
