"""MarketData over a ccxt venue's public API: markets, tickers with the 24h change, order books and candles."""

from collections.abc import Mapping, Sequence

from trading.ccxt.client import CcxtSession, CcxtVenueConfig
from trading.ccxt.convert import candles_from_ccxt, order_book_from_ccxt, ticker_from_ccxt
from trading.domain.errors import InvalidInput
from trading.domain.market import Candle, Market, OrderBook, Ticker


class CcxtMarketData:
    """Public data of one venue. Needs no credentials; errors are the project's own."""

    def __init__(self, session: CcxtSession) -> None:
        self._session = session

    @classmethod
    def open(cls, config: CcxtVenueConfig) -> "CcxtMarketData":
        """Its own ccxt client, closed by `close()`. No I/O until the first call."""
        return cls(CcxtSession.open(config))

    @property
    def name(self) -> str:
        return self._session.exchange_id

    async def markets(self) -> Mapping[str, Market]:
        return await self._session.markets()

    async def market(self, symbol: str) -> Market:
        return await self._session.market(symbol)

    async def ticker(self, symbol: str) -> Ticker:
        market = await self.market(symbol)
        client = self._session.client
        raw = await self._session.call(lambda: client.fetch_ticker(market.symbol), market.symbol)
        return ticker_from_ccxt(raw, market.symbol)

    async def order_book(self, symbol: str, depth: int = 10) -> OrderBook:
        market = await self.market(symbol)
        client = self._session.client
        raw = await self._session.call(lambda: client.fetch_order_book(market.symbol, depth), market.symbol)
        return order_book_from_ccxt(raw, market.symbol, depth)

    async def candles(self, symbol: str, timeframe: str = "1h", limit: int = 100) -> Sequence[Candle]:
        market = await self.market(symbol)
        client = self._session.client
        if timeframe not in (client.timeframes or {}):
            raise InvalidInput(f"{self._session.venue} has no {timeframe!r} candles.")
        rows = await self._session.call(
            lambda: client.fetch_ohlcv(market.symbol, timeframe, None, limit), market.symbol
        )
        return candles_from_ccxt(rows[-limit:])

    async def close(self) -> None:
        await self._session.close()
