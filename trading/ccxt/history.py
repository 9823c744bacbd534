"""trading.ports.CandleSource over a ccxt venue: fetch_ohlcv paged from a start time, within the venue's rate
limits (ccxt's own limiter, on in every session), each page retried under the session's policy."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from trading.ccxt.client import CcxtSession
from trading.ccxt.convert import candles_from_ccxt
from trading.domain.errors import InvalidInput
from trading.domain.market import Candle

PAGE = 1000  # candles a page: what most venues give at most (Binance 1000, Bybit 1000, OKX 300 and fewer)


class CcxtCandleHistory:
    def __init__(self, session: CcxtSession, page: int = PAGE) -> None:
        self._session = session
        self._page = page
        self._requests = 0

    @property
    def name(self) -> str:
        return self._session.exchange_id

    @property
    def requests(self) -> int:
        return self._requests

    async def history(self, symbol: str, timeframe: str, start: datetime, end: datetime) -> Sequence[Candle]:
        market = await self._session.market(symbol)
        client = self._session.client
        if timeframe not in (client.timeframes or {}):
            raise InvalidInput(f"{self._session.venue} has no {timeframe!r} candles.")
        since, until = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
        candles: list[Candle] = []
        while since < until:
            self._requests += 1
            rows = await self._session.call(
                self._page_from(client, market.symbol, timeframe, since), market.symbol
            )
            page = [row for row in rows if since <= row[0] < until]
            if not page:
                break  # nothing more before `end`: the venue's history stops there
            candles.extend(candles_from_ccxt(page))
            since = int(page[-1][0]) + 1
        return candles

    async def close(self) -> None:
        await self._session.close()

    def _page_from(
        self, client: Any, symbol: str, timeframe: str, since: int
    ) -> Callable[[], Awaitable[list[list[Any]]]]:
        return lambda: client.fetch_ohlcv(symbol, timeframe, since, self._page)
