"""Source entry rules acted on at each price tick, as the stops are: the plans with entries waiting are held in
memory by symbol, read again on the price watch's look, so that a tick gives up a plan's entries (a target or
the stop reached before any filled, or their expiry come) without reading the database."""

from trading.domain.market import Ticker
from trading.domain.perpetuals import is_perpetual
from trading.usecases.core import Core
from trading.usecases.entry_watch import GivenUp, WatchedPlan, give_up, watched_plans, why_give_up
from trading.usecases.live_prices import LivePrices


class WaitingEntries:
    """The watched plans whose entries wait at the live feed's venue, by symbol, as last read. A plan followed
    since the last read is found by the next; the tracker's pass still looks at every plan (those of other
    venues, and perpetuals, whose mark the feed does not follow). A plan given up leaves the index at once."""

    def __init__(self, core: Core, live: LivePrices) -> None:
        self._core = core
        self._live = live
        self._plans: dict[str, list[WatchedPlan]] = {}

    def __len__(self) -> int:
        return sum(len(plans) for plans in self._plans.values())

    async def refresh(self) -> None:
        """Read the watched plans again, and have the feed watch their markets."""
        plans: dict[str, list[WatchedPlan]] = {}
        for plan in await watched_plans(self._core):
            entry = plan.waiting[0]
            if not is_perpetual(entry.symbol) and await self._live.covers(self._core, entry.account_id):
                plans.setdefault(entry.symbol, []).append(plan)
        self._plans = plans
        self._live.feed.watch(self._plans)

    async def on_price(self, ticker: Ticker) -> list[GivenUp]:
        """Give up the plans of the tick's market whose rules say so at it; those given up."""
        plans = self._plans.get(ticker.symbol)
        if not plans:
            return []
        now = self._core.clock.now()
        due = [(plan, why) for plan in plans if (why := why_give_up(plan, ticker, now)) is not None]
        if not due:
            return []
        self._plans[ticker.symbol] = [plan for plan in plans if all(plan is not d for d, _ in due)]
        # Each entry's cancel failing is logged by give_up; the tracker's pass tries those again.
        return [done for plan, why in due if (done := await give_up(self._core, plan, why)) is not None]
