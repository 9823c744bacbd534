"""Waiting entries given up as their source's entry rules say: the plan's first target or its stop reached
before any entry filled, or entries still unfilled when their expiry comes. Each goes through the ordinary
cancel path, and the trader is told what was cancelled and why. A plan's trailing entries (its source's
trailing entry) are given up with them, by the same rules, and also where the stop is reached before any entry
bought: a buy that waits for the price to turn up below the stop would buy into a trade already lost."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trading.domain.entry_rules import EntryRules, duration_text, stop_reached, target_reached
from trading.domain.enums import LIVE_STATUSES, OrderRole, OrderStatus
from trading.domain.errors import ExchangeError, TradingError
from trading.domain.market import Ticker
from trading.domain.money import price_text
from trading.domain.orders import Order
from trading.domain.signal_records import SignalRecord
from trading.domain.stop_modes import PositionStopMode
from trading.ports import UnitOfWork
from trading.usecases.core import Core
from trading.usecases.execution import cancel_order
from trading.usecases.live_prices import LivePrices, OnMarket, venue_ticker
from trading.usecases.notices import add_notices
from trading.usecases.plan_trailing import end_plan_entries
from trading.usecases.trailing_entries import ENTRY_LIFE

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GivenUp:
    """A plan's waiting entries cancelled by its rules: `why` as the trader reads it."""

    signal: SignalRecord
    cancelled: tuple[Order, ...]
    why: str
    ended: tuple[PositionStopMode, ...] = ()  # its trailing entries


@dataclass(frozen=True, slots=True)
class WatchedPlan:
    """A followed plan with entries waiting, as last read: its rules, its entries, and its stop and targets as
    they are now (a follow-up may have moved its stop), from the entries' draft; and its trailing entries
    armed."""

    signal: SignalRecord
    rules: EntryRules
    entries: tuple[Order, ...]
    stop: Decimal | None
    targets: tuple[Decimal, ...]
    trailing: tuple[PositionStopMode, ...] = ()

    @property
    def waiting(self) -> tuple[Order, ...]:
        return tuple(e for e in self.entries if e.status in LIVE_STATUSES)

    @property
    def pending(self) -> bool:
        """Whether some entry still waits: an order resting, or a trailing entry armed."""
        return bool(self.waiting or self.trailing)

    @property
    def market(self) -> OnMarket:
        """Where its entries wait (a waiting one's market and account)."""
        return self.waiting[0] if self.waiting else self.trailing[0]

    @property
    def holding(self) -> bool:
        return any(e.filled > 0 for e in self.entries)

    @property
    def priced(self) -> bool:
        """Whether its rules look at the market: a target or the stop before any entry filled; or the stop at
        all, for its trailing entries (once the stop is hit, a turn back up would buy into a lost trade)."""
        rules = self.rules
        before_entry = rules.close_on_target_before_entry or rules.cancel_on_stop_before_entry
        return (not self.holding and before_entry) or bool(self.trailing)


async def watched_plans(core: Core) -> list[WatchedPlan]:
    """The followed plans whose rules may give up their waiting entries, with entries still waiting."""
    async with core.uow(read_only=True) as uow:
        plans = [
            await _watched_plan(uow, signal, rules) for signal, rules in await uow.entry_rules.watched_plans()
        ]
    return [plan for plan in plans if plan.pending]


async def watched_plan(core: Core, signal: SignalRecord) -> WatchedPlan | None:
    """The followed signal's plan, where its source's rules may give up its entries and some still wait."""
    async with core.uow(read_only=True) as uow:
        rules = await uow.entry_rules.of_signal(signal.id)
        plan = await _watched_plan(uow, signal, rules) if rules.watched and signal.group_id else None
    return plan if plan is not None and plan.pending else None


async def _watched_plan(uow: UnitOfWork, signal: SignalRecord, rules: EntryRules) -> WatchedPlan:
    assert signal.group_id is not None
    orders = await uow.signals.plan_orders(signal.group_id)
    entries = tuple(o for o in orders if o.role is OrderRole.ENTRY)
    trailing = tuple(await uow.stop_modes.of_group(signal.group_id))
    draft_id = entries[0].draft_id if entries else trailing[0].id if trailing else None
    draft = await uow.drafts.get(draft_id) if draft_id is not None else None
    stop = draft.stop_loss if draft is not None else None
    targets = draft.take_profits if draft is not None else ()
    return WatchedPlan(signal, rules, entries, stop, targets, trailing)


async def watch_waiting_entries(core: Core, live: LivePrices | None = None) -> list[GivenUp]:
    """Give up the waiting entries of every followed plan whose rules say so now; what was given up. The
    market is `live`'s latest tick where the feed follows the entries' venue, else the venue's ticker."""
    given_up: list[GivenUp] = []
    for plan in await watched_plans(core):
        market = plan.market
        try:
            ticker = (
                await (live.ticker_for(core, market) if live is not None else venue_ticker(core, market))
                if plan.priced
                else None
            )
        except ExchangeError as error:  # its market unread this pass: the others are still watched
            log.warning("waiting entries of signal %s: %s", plan.signal.id, error.message)
            continue
        why = why_give_up(plan, ticker, core.clock.now())
        if why is not None and (done := await give_up(core, plan, why)) is not None:
            given_up.append(done)
    return given_up


def why_give_up(plan: WatchedPlan, ticker: Ticker | None, now: datetime) -> str | None:
    """Why the plan's waiting entries go now, or None. `ticker`: the entries' market, where the plan is
    `priced`."""
    rules, side = plan.rules, plan.signal.spec.side
    if plan.priced and ticker is not None:
        stop, targets, before = plan.stop, plan.targets, not plan.holding
        on_target = before and rules.close_on_target_before_entry
        if on_target and targets and target_reached(side, targets[0], ticker):
            return f"target 1 ({price_text(targets[0])}) was reached before any entry filled"
        on_stop = (before and rules.cancel_on_stop_before_entry) or plan.trailing
        if on_stop and stop is not None and stop_reached(side, stop, ticker):
            return f"the stop ({price_text(stop)}) was hit" + (" before any entry filled" if before else "")
    if (
        rules.expiry is not None
        and plan.waiting
        and now >= min(e.created_at for e in plan.waiting) + rules.expiry
    ):
        return f"not filled within {duration_text(rules.expiry)}"
    life = rules.expiry or ENTRY_LIFE  # a trailing entry waits as long as its draft, as a lone one does
    if plan.trailing and now >= min(r.created_at for r in plan.trailing) + life:
        return f"not bought within {duration_text(life)}"
    return None


async def give_up(core: Core, plan: WatchedPlan, why: str) -> GivenUp | None:
    """End its trailing entries (their drafts cancelled with them), then cancel each waiting entry through the
    ordinary cancel path; the trader is told what went once, in the transaction of the last of these (whichever
    process books it). None where nothing was given up here (filled, bought, or given up by another process,
    meanwhile)."""
    signal, waiting, holding = plan.signal, plan.waiting, plan.holding
    async with core.uow(read_only=True) as uow:
        source = await uow.signals.source_by_id(signal.source_id)
    title = source.title if source else "its source"
    assert signal.group_id is not None

    def tell_ended(gone: Sequence[PositionStopMode]) -> str:
        return given_up_text(signal, title, (), why, holding, gone)

    ended = await end_plan_entries(core, signal.user_id, signal.group_id, None if waiting else tell_ended)
    cancelled: list[Order] = []

    def tell(last: Order) -> str | None:
        gone = [*cancelled, last] if last.status is OrderStatus.CANCELLED else cancelled
        return given_up_text(signal, title, gone, why, holding, ended) if gone or ended else None

    told = not waiting
    for at, entry in enumerate(waiting):
        last = at == len(waiting) - 1
        try:
            order = await cancel_order(core, signal.user_id, entry.id, tell if last else None)
        except TradingError as error:
            log.warning("entry %s not cancelled: %s", entry.client_order_id, error.message)
            continue
        told = last
        if order.status is OrderStatus.CANCELLED:
            cancelled.append(order)
    if not cancelled and not ended:
        return None
    if not told:  # the last cancel failed: what the others did is told on its own
        async with core.uow() as uow:
            text = given_up_text(signal, title, cancelled, why, holding, ended)
            await add_notices(uow, [(signal.user_id, text)], core.clock.now())
            await uow.commit()
    return GivenUp(signal, tuple(cancelled), why, ended)


def given_up_text(
    signal: SignalRecord,
    title: str,
    cancelled: Sequence[Order],
    why: str,
    holding: bool,
    ended: Sequence[PositionStopMode] = (),
) -> str:
    gone: list[str] = []
    if cancelled:
        count = len(cancelled)
        what = "its entry" if count == 1 else f"its {count} waiting entries"
        ids = ", ".join(f"#{o.id}" for o in cancelled)
        gone.append(f"{what} ({ids}) {'was' if count == 1 else 'were'} cancelled")
    if ended:
        count = len(ended)
        what = "its trailing entry" if count == 1 else f"its {count} trailing entries"
        levels = ", ".join(price_text(r.mode.entry) for r in ended)
        gone.append(f"{what} (armed at {levels}) {'was' if count == 1 else 'were'} ended unbought")
    held = " What filled stays, with its stop and targets." if holding else ""
    symbol = cancelled[0].symbol if cancelled else ended[0].symbol
    return f"⌛ {symbol} {signal.spec.side.value} signal from {title}: {why}, so {' and '.join(gone)}.{held}"
