"""Source entry rules acted on at each price tick, as the stops are: the plans with entries waiting are held in
memory by symbol, read again on the price watch's look, so that a tick gives up a plan's entries (a target or
the stop reached before any filled, or their expiry come) without reading the database."""

import logging

from trading.domain.market import Ticker
from trading.domain.perpetuals import is_perpetual
from trading.domain.signal_records import SignalRecord
from trading.usecases.core import Core
from trading.usecases.entry_watch import (
    GivenUp,
    WatchedPlan,
    give_up,
    watched_plan,
    watched_plans,
    why_give_up,
)
from trading.usecases.live_prices import LivePrices

log = logging.getLogger(__name__)


class WaitingEntries:
    """The watched plans whose entries wait at the live feed's venue, by symbol, as last read. A plan followed
    in this process is added as it is followed (`followed`, subscribed to the core's FollowedPlans), one
    followed in another is found by the next read; the tracker's pass still looks at every plan (those of other
    venues, and perpetuals, whose mark the feed does not follow). A plan given up leaves the index at once."""

    def __init__(self, core: Core, live: LivePrices) -> None:
        self._core = core
        self._live = live
        self._plans: dict[str, list[WatchedPlan]] = {}
        # Plans followed while a read is under way, which that read may have missed: kept by its end.
        self._followed_meanwhile: list[WatchedPlan] | None = None

    def __len__(self) -> int:
        return sum(len(plans) for plans in self._plans.values())

    async def refresh(self) -> None:
        """Read the watched plans again, and have the feed watch their markets."""
        self._followed_meanwhile = []
        try:
            read = await watched_plans(self._core)
            followed = self._followed_meanwhile
        finally:
            self._followed_meanwhile = None
        plans: dict[str, list[WatchedPlan]] = {}
        known = {plan.signal.id for plan in read}
        for plan in [*read, *(plan for plan in followed if plan.signal.id not in known)]:
            if await self._followed_here(plan):
                plans.setdefault(plan.market.symbol, []).append(plan)
        self._plans = plans
        self._live.feed.watch(self._plans)

    async def followed(self, signal: SignalRecord) -> None:
        """Watch a plan just followed from now on, its market too. A failure to read it is logged: the next
        read finds it."""
        try:
            plan = await watched_plan(self._core, signal)
            if plan is None or not await self._followed_here(plan):
                return
        except Exception:
            log.exception("entry rules: signal %s followed, watched from the next read", signal.id)
            return
        if self._followed_meanwhile is not None:
            self._followed_meanwhile.append(plan)
        symbol = plan.market.symbol
        watched = self._plans.setdefault(symbol, [])
        if all(known.signal.id != signal.id for known in watched):  # unless a read since its placing found it
            watched.append(plan)
        self._live.feed.watch([symbol])

    async def _followed_here(self, plan: WatchedPlan) -> bool:
        """Whether the feed follows the plan's entries: a spot market at its venue."""
        market = plan.market
        return not is_perpetual(market.symbol) and await self._live.covers(self._core, market.account_id)

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
