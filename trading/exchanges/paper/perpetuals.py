"""The simulated market's pairs as linear perpetuals for the paper futures venue: 'BTC/USDT:USDT' follows
'BTC/USDT', its mark price is that pair's price, and funding is settled every 8 hours at a simulated rate."""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from trading.domain.futures import MarketType
from trading.domain.futures_math import brackets_for
from trading.domain.market import Candle, Market, OrderBook, Ticker
from trading.domain.perpetuals import pair_of_perpetual, perpetual_of
from trading.ports import MarketData

# Binance USDⓈ-M's regular fees.
MAKER_FEE = Decimal("0.0002")
TAKER_FEE = Decimal("0.0005")
FUNDING_INTERVAL = timedelta(hours=8)
# Binance's interest component, with a premium that follows the day's move (a rising market, crowded with
# longs, has them pay more), clamped as Binance clamps its rate on most pairs.
BASE_RATE = Decimal("0.0001")
RATE_PER_PERCENT = Decimal("0.00005")
RATE_CAP = Decimal("0.00075")
RATE_STEP = Decimal("0.000001")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def simulated_rate(ticker: Ticker) -> Decimal:
    rate = BASE_RATE + ticker.change_24h_pct * RATE_PER_PERCENT
    return min(max(rate, -RATE_CAP), RATE_CAP).quantize(RATE_STEP)


def funding_times(after: datetime, until: datetime) -> list[datetime]:
    """The funding times (00:00, 08:00 and 16:00 UTC) after `after`, up to and at `until`."""
    first = next_funding_at(after)
    times = []
    while first <= until:
        times.append(first)
        first += FUNDING_INTERVAL
    return times


def next_funding_at(now: datetime) -> datetime:
    """The first funding time after `now`."""
    intervals = (now - _EPOCH) // FUNDING_INTERVAL
    return _EPOCH + (intervals + 1) * FUNDING_INTERVAL


class PerpetualMarkets:
    """MarketData of the perpetuals, over the simulated market's pairs."""

    def __init__(self, pairs: MarketData) -> None:
        self._pairs = pairs

    async def markets(self) -> Mapping[str, Market]:
        return {
            perpetual_of(symbol): self._perpetual(m) for symbol, m in (await self._pairs.markets()).items()
        }

    async def market(self, symbol: str) -> Market:
        return self._perpetual(await self._pairs.market(pair_of_perpetual(symbol)))

    async def ticker(self, symbol: str) -> Ticker:
        return replace(await self._pairs.ticker(pair_of_perpetual(symbol)), symbol=symbol)

    async def order_book(self, symbol: str, depth: int = 10) -> OrderBook:
        return replace(await self._pairs.order_book(pair_of_perpetual(symbol), depth), symbol=symbol)

    async def candles(self, symbol: str, timeframe: str = "1h", limit: int = 100) -> Sequence[Candle]:
        return await self._pairs.candles(pair_of_perpetual(symbol), timeframe, limit)

    async def mark(self, symbol: str) -> Decimal:
        """The mark price: the pair's price."""
        return (await self._pairs.ticker(pair_of_perpetual(symbol))).last

    @staticmethod
    def _perpetual(pair: Market) -> Market:
        symbol = perpetual_of(pair.symbol)
        return replace(
            pair,
            symbol=symbol,
            maker_fee=MAKER_FEE,
            taker_fee=TAKER_FEE,
            market_type=MarketType.FUTURES,
            max_leverage=brackets_for(symbol).brackets[0].max_leverage,
        )
