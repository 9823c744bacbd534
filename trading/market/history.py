"""The simulated market's history, for audits on the embedded default: a seeded random walk of 15-minute
candles per symbol from a fixed origin, the same for the same seed whichever range is asked, so a signal of
any past date has candles to be played on."""

import math
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from trading.domain.errors import InvalidInput, UnknownSymbol
from trading.domain.market import Candle

ORIGIN = datetime(2024, 1, 1, tzinfo=UTC)
STEP = timedelta(minutes=15)
TIMEFRAMES = {"15m": 1, "1h": 4, "4h": 16, "1d": 96}
VOLATILITY = 0.006  # of the log price over one 15-minute step
DIGITS = Decimal("1e-8")
BLOCK = 1024


class SimulatedHistory:
    """trading.ports.CandleSource; `prices`: each symbol's price at the origin."""

    def __init__(self, prices: Mapping[str, Decimal], seed: int = 42, name: str = "paper") -> None:
        self._prices = dict(prices)
        self._seed = seed
        self._name = name
        self._requests = 0
        self._closes: dict[str, list[float]] = {}

    @property
    def name(self) -> str:
        return self._name

    @property
    def requests(self) -> int:
        return self._requests

    async def history(self, symbol: str, timeframe: str, start: datetime, end: datetime) -> Sequence[Candle]:
        if symbol not in self._prices:
            raise UnknownSymbol(f"The simulated market has no {symbol}.")
        steps = TIMEFRAMES.get(timeframe)
        if steps is None:
            raise InvalidInput(f"The simulated market has no {timeframe!r} candles.")
        self._requests += 1
        first = max(0, math.ceil((start - ORIGIN) / (STEP * steps))) * steps
        stop = max(first, math.ceil((end - ORIGIN) / STEP))  # candles opening before `end`
        closes = self._walk(symbol, stop + steps + 1)
        return [self._candle(closes, index, steps) for index in range(first, stop, steps)]

    def _walk(self, symbol: str, length: int) -> list[float]:
        """The closes from the origin, grown a block at a time, each block drawn from its own seed: the same
        walk whatever order the ranges are asked in."""
        closes = self._closes.setdefault(symbol, [float(self._prices[symbol])])
        while len(closes) < length:
            rng = random.Random(f"{self._seed}:{symbol}:{len(closes) // BLOCK}")
            price = closes[-1]
            for _ in range(BLOCK):
                price *= math.exp(rng.gauss(0.0, VOLATILITY))
                closes.append(price)
        return closes

    @staticmethod
    def _candle(closes: list[float], index: int, steps: int) -> Candle:
        opened = closes[index - 1] if index else closes[0]
        chunk = closes[index : index + steps]
        return Candle(
            ORIGIN + STEP * index,
            Decimal(opened).quantize(DIGITS),
            Decimal(max(opened, *chunk)).quantize(DIGITS),
            Decimal(min(opened, *chunk)).quantize(DIGITS),
            Decimal(chunk[-1]).quantize(DIGITS),
            Decimal(steps),
        )
