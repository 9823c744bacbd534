"""Legs held by the core, acted on at the price tick that reaches them rather than at the tracker's next pass."""

from collections import defaultdict

from trading.domain.enums import OrderStatus
from trading.domain.market import Ticker
from trading.domain.orders import Order
from trading.usecases.brackets import leg_triggered
from trading.usecases.core import Core
from trading.usecases.live_prices import LivePrices
from trading.usecases.tracking import send_reached


class ArmedLegs:
    """The armed legs on accounts at the live feed's venue, by symbol, as last read: a tick finds those it
    reaches without reading the database. A leg armed since the last read is found by the next one; one moved or
    fired elsewhere since is found so when claimed (it is never sent twice, nor at its old price)."""

    def __init__(self, core: Core, live: LivePrices) -> None:
        self._core = core
        self._live = live
        self._legs: dict[str, list[Order]] = {}

    def symbols(self) -> list[str]:
        return list(self._legs)

    def __len__(self) -> int:
        return sum(len(legs) for legs in self._legs.values())

    async def refresh(self) -> None:
        """Read the armed legs again, and have the feed watch their markets."""
        async with self._core.uow(read_only=True) as uow:
            armed = await uow.orders.with_status([OrderStatus.ARMED])
        legs: defaultdict[str, list[Order]] = defaultdict(list)
        for leg in armed:
            if await self._live.covers(self._core, leg.account_id):
                legs[leg.symbol].append(leg)
        self._legs = dict(legs)
        self._live.feed.watch(self._legs)

    async def on_price(self, ticker: Ticker) -> list[Order]:
        """Send the legs this tick reaches; those sent. They leave the index whatever came of them: one still
        armed (moved since it was read) is back at the next refresh."""
        legs = self._legs.get(ticker.symbol, [])
        reached = [leg for leg in legs if leg_triggered(leg, ticker)]
        if not reached:
            return []
        ids = {leg.id for leg in reached}
        self._legs[ticker.symbol] = [leg for leg in legs if leg.id not in ids]
        sent: list[Order] = []
        for leg in reached:
            sent.extend(await send_reached(self._core, leg))
        return sent
