"""Candles fetched once from the venue and kept (trading.ports.CandleStore): every later audit and chart reads
them from the store. History is fetched in fixed windows, so that a window fetched whole is known to be kept
whole; a window still running is fetched again."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from trading.domain.market import Candle
from trading.ports import Clock
from trading.ports.audit import CandleSource, CandleStore

SPANS = {
    "15m": timedelta(minutes=15),
    "1h": timedelta(hours=1),
    "4h": timedelta(hours=4),
    "1d": timedelta(days=1),
}
# A window of 30 days: 720 hourly candles, one page of most venues.
WINDOW = timedelta(days=30)
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
# A window whose last candle kept is within a day of its end is kept whole: a venue may have had no trading in
# its last hours, and asking again would not change that.
SLACK = timedelta(days=1)


class CandleCache:
    def __init__(self, source: CandleSource, store: CandleStore, clock: Clock) -> None:
        self._source = source
        self._store = store
        self._clock = clock
        self._read: dict[tuple[str, str, datetime], Sequence[Candle]] = {}
        self.hits = 0
        self.misses = 0

    @property
    def venue(self) -> str:
        return self._source.name

    @property
    def hit_rate(self) -> float | None:
        asked = self.hits + self.misses
        return self.hits / asked if asked else None

    async def candles(self, symbol: str, timeframe: str, start: datetime, end: datetime) -> list[Candle]:
        """Candles opening in [start, end), from the store where kept, else from the venue (then kept)."""
        found: list[Candle] = []
        window = EPOCH + WINDOW * ((start - EPOCH) // WINDOW)
        while window < end:
            key = (symbol, timeframe, window)
            if key not in self._read:
                self._read[key] = await self._window(symbol, timeframe, window)
            found.extend(c for c in self._read[key] if start <= c.opened_at < end)
            window += WINDOW
        return found

    async def _window(self, symbol: str, timeframe: str, window: datetime) -> Sequence[Candle]:
        end = window + WINDOW
        now = self._clock.now()
        venue = self._source.name
        kept = await self._store.load(venue, symbol, timeframe, window, end)
        if end <= now and kept and kept[-1].opened_at >= end - SPANS.get(timeframe, SLACK) - SLACK:
            self.hits += 1
            return kept
        self.misses += 1
        fetched = await self._source.history(symbol, timeframe, window, min(end, now))
        await self._store.save(venue, symbol, timeframe, fetched)
        return fetched
