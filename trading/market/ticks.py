"""What every price feed shares: the last tick of each symbol, and each tick handed to every subscriber."""

import asyncio
import logging
from collections.abc import Iterable

from trading.domain.market import Ticker

log = logging.getLogger(__name__)

# Markets one feed follows at most: the web app watches what its users ask for, and a venue's websocket takes
# a bounded number of subscriptions. Beyond, prices are asked of the venue when wanted.
MOST_WATCHED = 200


class TickStream:
    """One subscriber's ticks (a PriceStream). It holds at most one tick per symbol: one that comes before the
    last was read replaces it, keeping its place in the queue, so a slow reader neither holds the feed up nor
    grows without bound."""

    def __init__(self, hub: "TickHub") -> None:
        self._hub = hub
        self._pending: dict[str, Ticker] = {}
        self._ready = asyncio.Event()
        self._closed = False

    def __aiter__(self) -> "TickStream":
        return self

    async def __anext__(self) -> Ticker:
        while not self._pending:
            if self._closed:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return self._pending.pop(next(iter(self._pending)))

    def put(self, ticker: Ticker) -> None:
        self._pending[ticker.symbol] = ticker
        self._ready.set()

    def close(self) -> None:
        """Ends the iteration once what is pending has been read."""
        self._closed = True
        self._ready.set()
        self._hub.leave(self)


class TickHub:
    """The symbols a feed watches, the last tick of each, and the streams subscribed to them."""

    def __init__(self, most_watched: int = MOST_WATCHED) -> None:
        self._most = most_watched
        self.watched: list[str] = []
        self._latest: dict[str, Ticker] = {}
        self._streams: set[TickStream] = set()

    def admit(self, symbols: Iterable[str]) -> list[str]:
        """The symbols newly watched among these, up to the feed's bound (those beyond it are logged)."""
        new = [symbol for symbol in dict.fromkeys(symbols) if symbol not in self.watched]
        room = max(0, self._most - len(self.watched))
        if len(new) > room:
            log.warning("prices: already %d markets watched; %s left to polling", self._most, new[room:])
        self.watched.extend(new[:room])
        return new[:room]

    def drop(self, symbol: str) -> None:
        """No longer watched (the venue does not list it)."""
        if symbol in self.watched:
            self.watched.remove(symbol)
        self.forget(symbol)

    def publish(self, ticker: Ticker) -> None:
        self._latest[ticker.symbol] = ticker
        for stream in self._streams:
            stream.put(ticker)

    def latest(self, symbol: str) -> Ticker | None:
        return self._latest.get(symbol)

    def forget(self, symbol: str) -> None:
        """The symbol's stream is down: its last price is no longer current."""
        self._latest.pop(symbol, None)

    def subscribe(self) -> TickStream:
        stream = TickStream(self)
        self._streams.add(stream)
        return stream

    def leave(self, stream: TickStream) -> None:
        self._streams.discard(stream)

    def close(self) -> None:
        for stream in list(self._streams):
            stream.close()
