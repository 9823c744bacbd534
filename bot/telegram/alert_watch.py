"""Fires alerts: an APScheduler job checks each watched symbol's price against the index about once a second."""

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.telegram.render import alert_fired
from trading.domain.alert_index import AlertIndex
from trading.domain.errors import TradingError
from trading.ports import MarketData
from trading.usecases.alerts import active_alerts, fire_alert
from trading.usecases.core import Core
from trading.usecases.notices import NoticeDelivery

log = logging.getLogger(__name__)


class AlertWatcher:
    def __init__(self, core: Core, market: MarketData, index: AlertIndex, notices: NoticeDelivery) -> None:
        self._core = core
        self._market = market
        self._index = index
        self._notices = notices
        self._scheduler: AsyncIOScheduler | None = None

    async def load(self) -> int:
        for alert in await active_alerts(self._core):
            self._index.add(alert)
        return len(self._index)

    async def tick(self) -> int:
        """Check every watched symbol once; the number of alerts fired. Each alert's message is written as it
        fires and sent once all are fired, so no send, failed or slow, holds up the other due alerts (a
        notice not sent now goes with the tracker's next delivery)."""
        fired = 0
        for symbol in self._index.symbols():
            try:
                price = (await self._market.ticker(symbol)).last
            except TradingError as error:
                log.warning("alerts: no price for %s: %s", symbol, error)
                continue
            for alert in self._index.take_due(symbol, price):
                # Once, even with many processes; its message is written with it.
                if await fire_alert(self._core, alert, alert_fired(alert, price)):
                    fired += 1
        if fired:
            await self._notices.deliver()
        return fired

    def start(self, every_seconds: float) -> None:
        self._scheduler = AsyncIOScheduler()
        self._scheduler.add_job(self.tick, "interval", seconds=every_seconds, max_instances=1, coalesce=True)
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
