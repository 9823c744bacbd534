from typing import Annotated

from litestar import Controller, get
from litestar.datastructures import CacheControlHeader, State
from litestar.params import Parameter

from trading.usecases.pricing import pair_of
from webapp.context import WebContext
from webapp.schemas import CandleOut, MarketOut, TickerOut

# Market data is the same for every user, so a response is cached (in Redis where configured) and may be kept by
# clients and proxies for as long: the list of markets changes with a venue's listings, candles every minute.
MARKETS_TTL_S = 300
CANDLES_TTL_S = 10

SymbolParam = Annotated[
    str, Parameter(pattern=r"^[A-Za-z0-9]{1,15}(/[A-Za-z0-9]{1,15})?$", description="BTC or BTC/USDT")
]


class MarketsController(Controller):
    path = "/markets"
    tags = ("markets",)

    @get(
        summary="Tradable markets",
        cache=MARKETS_TTL_S,
        cache_control=CacheControlHeader(public=True, max_age=MARKETS_TTL_S),
    )
    async def list_markets(self, state: State) -> list[MarketOut]:
        web: WebContext = state.web
        markets = await web.market.markets()
        return [MarketOut(m.symbol, m.base, m.quote) for m in markets.values()]

    @get("/ticker", summary="The price of a market")
    async def ticker(self, state: State, symbol: SymbolParam) -> TickerOut:
        web: WebContext = state.web
        pair = pair_of(symbol, None, web.core.config.paper_quote)
        await web.market.market(pair)  # UnknownSymbol (400) before any price is made up
        t = await web.ticker(pair)
        return TickerOut(t.symbol, t.bid, t.ask, t.last)

    @get(
        "/candles",
        summary="Candles of a market",
        description=f"Cached for {CANDLES_TTL_S} s: the last candle may lag the price by as much.",
        cache=CANDLES_TTL_S,
        cache_control=CacheControlHeader(public=True, max_age=CANDLES_TTL_S),
    )
    async def candles(
        self,
        state: State,
        symbol: SymbolParam,
        timeframe: Annotated[str, Parameter(pattern=r"^[0-9]{1,3}[mhdw]$")] = "1h",
        limit: Annotated[int, Parameter(ge=1, le=500)] = 100,
    ) -> list[CandleOut]:
        web: WebContext = state.web
        pair = pair_of(symbol, None, web.core.config.paper_quote)
        await web.market.market(pair)
        rows = await web.market.candles(pair, timeframe, limit)
        return [CandleOut(c.opened_at, c.open, c.high, c.low, c.close, c.volume) for c in rows]
