"""Fires alerts: at each tick of the price feed that reaches them (bot.price_watch), and on an APScheduler job
about once a second that reads the alerts set elsewhere and checks every watched symbol's latest price."""

import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.leadership import Leadership, SoleProcess
from handlers.render import alert_fired
from trading.domain.alert_index import AlertIndex
from trading.domain.alerts import Alert
from trading.domain.market import Ticker
from trading.ports import PriceFeed
from trading.usecases.alerts import active_alerts, alerts_set_since, fire_alert
from trading.usecases.core import Core
from trading.usecases.notices import NoticeDelivery

log = logging.getLogger(__name__)

# How far back each look for new alerts reaches before the last one began: an alert is stamped before its
# transaction commits, and another process's clock may run a little behind this one's.
LOOK_BACK = timedelta(minutes=1)


class AlertWatcher:
    """Holds the active alerts in an index, at the prices of the process's feed, which follows their markets from
    each look at the alerts on. The chat adds its alerts at once; every tick also reads the alerts set since the
    last look, so that those set through the web app or by another process are watched too. An alert deleted
    elsewhere stays in the index until its price is reached, and is then found deleted and dropped, unfired."""

    def __init__(
        self,
        core: Core,
        prices: PriceFeed,
        index: AlertIndex,
        notices: NoticeDelivery,
        leadership: Leadership | None = None,
    ) -> None:
        """`leadership`: ticks do nothing in a process that does not lead (bot.leadership); alone, it leads."""
        self._core = core
        self._prices = prices
        self._index = index
        self._notices = notices
        self._leadership = leadership or SoleProcess()
        self._scheduler: AsyncIOScheduler | None = None
        self._looked_at: datetime | None = None

    async def load(self) -> int:
        """Watch every active alert; how many are watched."""
        await self._look(None)
        return len(self._index)

    async def catch_up(self) -> int:
        """Watch the alerts set since the last look; how many were new to the index."""
        before = len(self._index)
        await self._look(None if self._looked_at is None else self._looked_at - LOOK_BACK)
        return len(self._index) - before

    async def _look(self, since: datetime | None) -> None:
        looked_at = self._core.clock.now()
        found = await (active_alerts(self._core) if since is None else alerts_set_since(self._core, since))
        for alert in found:
            self._index.add(alert)
        self._looked_at = looked_at
        self._prices.watch(self._index.symbols())

    async def tick(self) -> int:
        """Check every watched symbol once, at the feed's latest price (a symbol with none yet waits for its
        first tick); the number of alerts fired. Each alert's message is written as it fires and sent once all
        are fired, so no send, failed or slow, holds up the other due alerts (a notice not sent now goes with
        the tracker's next delivery). An alert that could not be fired (the database away) goes back into the
        index, to fire on a later tick."""
        if not self._leadership.leading:
            return 0
        try:
            await self.catch_up()
        except Exception:  # the alerts already watched are still checked
            log.exception("alerts: could not read the alerts set since the last look")
        fired = 0
        for symbol in self._index.symbols():
            ticker = self._prices.latest(symbol)
            if ticker is not None:
                fired += await self._fire_due(ticker)
        if fired:
            await self._notices.deliver()
        return fired

    async def on_price(self, ticker: Ticker) -> int:
        """Fire the alerts one tick reaches and deliver their messages; how many fired."""
        if not self._leadership.leading:
            return 0
        fired = await self._fire_due(ticker)
        if fired:
            await self._notices.deliver()
        return fired

    async def _fire_due(self, ticker: Ticker) -> int:
        fired = 0
        for alert in self._index.take_due(ticker.symbol, ticker.last):
            if await self._fire(alert, alert_fired(alert, ticker.last), ticker.timestamp):
                fired += 1
        return fired

    async def _fire(self, alert: Alert, notice: str, priced_at: datetime) -> bool:
        try:
            # Once, even with many processes; its message is written with it.
            return await fire_alert(self._core, alert, notice, priced_at)
        except Exception:
            log.exception("alerts: alert %s not fired now, kept for a later tick", alert.id)
            self._index.add(alert)
            return False

    def start(self, every_seconds: float) -> None:
        self._scheduler = AsyncIOScheduler()
        self._scheduler.add_job(self.tick, "interval", seconds=every_seconds, max_instances=1, coalesce=True)
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
