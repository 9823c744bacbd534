"""A venue's candle history as the tests script it."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from tests.audit.exports import START
from trading.domain.errors import UnknownSymbol
from trading.domain.market import Candle

HOUR = timedelta(hours=1)
D = Decimal


class ScriptedHistory:
    """A venue's candles as the test writes them: ETH dips into its entries, reaches target 1 and comes back to
    the moved stop; AVAX drifts down slowly. No other market."""

    name = "scripted"

    def __init__(self) -> None:
        self.requests = 0

    async def history(self, symbol: str, timeframe: str, start: datetime, end: datetime) -> Sequence[Candle]:
        self.requests += 1
        if symbol not in ("ETH/USDT", "AVAX/USDT"):
            raise UnknownSymbol(f"The venue has no {symbol}.")
        step = HOUR if timeframe == "1h" else HOUR / 4
        first = START - 48 * HOUR
        candles = []
        at = first
        while at < end:
            if at >= start:
                candles.append(self._candle(symbol, at, step))
            at += step
        return candles

    @staticmethod
    def _candle(symbol: str, at: datetime, step: timedelta) -> Candle:
        hours = (at - START) / HOUR
        if symbol == "AVAX/USDT":
            price = D("38.4") - D("0.01") * D(int(hours))
            return Candle(at, price, price + D("0.05"), price - D("0.05"), price, D(1))
        path = {
            0: (101, 102, 99, 100),
            1: (100, 111, 100, 108),
            2: (108, 109, 104, 105),
            3: (105, 105, 96, 97),
        }
        o, h, lo, c = path.get(int(hours), (101, 102, 100, 101)) if hours >= 0 else (101, 102, 100, 101)
        return Candle(at, D(o), D(h), D(lo), D(c), D(1))
