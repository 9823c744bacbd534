"""Acting on live prices: each tick of the process's feed fires the alerts it reaches and sends the legs held by
the core that it reaches (stops and targets), at that tick rather than at the next pass of the tracker."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.leadership import Leadership, SoleProcess
from bot.telegram.alert_watch import AlertWatcher
from trading.domain.market import Ticker
from trading.ports import PriceStream
from trading.usecases.entry_ticks import WaitingEntries
from trading.usecases.live_prices import LivePrices
from trading.usecases.price_ticks import ArmedLegs
from trading.usecases.trailing import TrailingStops
from trading.usecases.trailing_entries import TrailingEntries

log = logging.getLogger(__name__)

LOOK_EVERY_SECONDS = 1.0


class PriceWatch:
    """Every tick goes to the alert watcher, the armed legs, the stop modes, the waiting entries and the trailing
    entries; once any
    acted, `told()` reports and delivers what they owe their traders. Every `look_seconds` the armed legs are read again (new ones, and
    their markets watched); the alert watcher reads new alerts on its own schedule. Only the leading process
    acts (bot.leadership)."""

    def __init__(
        self,
        live: LivePrices,
        alerts: AlertWatcher,
        legs: ArmedLegs,
        told: Callable[[], Awaitable[object]],
        leadership: Leadership | None = None,
        trailing: TrailingStops | None = None,
        entries: WaitingEntries | None = None,
        trailing_entries: TrailingEntries | None = None,
    ) -> None:
        self._live = live
        self._alerts = alerts
        self._legs = legs
        self._told = told
        self._leadership = leadership or SoleProcess()
        self._trailing = trailing
        self._entries = entries
        self._trailing_entries = trailing_entries

    async def look(self) -> None:
        """Read the armed legs, the stop modes and the waiting entries again; their markets are watched from
        then on."""
        if self._leadership.leading:
            await self._legs.refresh()
            if self._trailing is not None:
                await self._trailing.refresh()
            if self._entries is not None:
                await self._entries.refresh()
            if self._trailing_entries is not None:
                await self._trailing_entries.refresh()

    async def on_price(self, ticker: Ticker) -> None:
        if not self._leadership.leading:
            return
        await self._alerts.on_price(ticker)
        sent = await self._legs.on_price(ticker)
        # After the legs: a target this tick reached is sold before its stop moves behind it.
        moved = self._trailing is not None and await self._trailing.on_price(ticker)
        given_up = self._entries is not None and await self._entries.on_price(ticker)
        bought = self._trailing_entries is not None and await self._trailing_entries.on_price(ticker)
        if sent or moved or given_up or bought:
            await self._told()

    async def run(
        self,
        stop: asyncio.Event,
        look_seconds: float = LOOK_EVERY_SECONDS,
        ready: "asyncio.Future[None] | None" = None,
    ) -> None:
        """Until `stop` is set: act on every tick, and look every `look_seconds`. `ready`: the bot's start,
        awaited first, so that what the ticks tell has somewhere to go."""
        if ready is not None:
            await asyncio.wait({ready})
        stream = self._live.feed.subscribe()
        acting = asyncio.create_task(self._act(stream))
        try:
            while not stop.is_set():
                try:
                    await self.look()
                except Exception:  # the ticks are still acted on, against the legs last read
                    log.exception("prices: could not read the armed legs")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), look_seconds)
        finally:
            stream.close()
            await acting

    async def _act(self, stream: PriceStream) -> None:
        async for ticker in stream:
            try:
                await self.on_price(ticker)
            except Exception:  # the next tick must still be acted on; the cause goes to the log
                log.exception("prices: a tick of %s was not acted on", ticker.symbol)
