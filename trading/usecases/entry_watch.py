"""Waiting entries given up as their source's entry rules say: the plan's first target or its stop reached
before any entry filled, or entries still unfilled when their expiry comes. Each goes through the ordinary
cancel path, and the trader is told what was cancelled and why."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from trading.domain.entry_rules import EntryRules, duration_text, stop_reached, target_reached
from trading.domain.enums import LIVE_STATUSES, OrderRole, OrderStatus
from trading.domain.errors import ExchangeError, TradingError
from trading.domain.money import price_text
from trading.domain.orders import Order, OrderDraft
from trading.domain.signal_records import SignalRecord
from trading.usecases.core import Core
from trading.usecases.execution import cancel_order
from trading.usecases.live_prices import LivePrices, venue_ticker
from trading.usecases.notices import add_notices

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GivenUp:
    """A plan's waiting entries cancelled by its rules: `why` as the trader reads it."""

    signal: SignalRecord
    cancelled: tuple[Order, ...]
    why: str


async def watch_waiting_entries(core: Core, live: LivePrices | None = None) -> list[GivenUp]:
    """Give up the waiting entries of every followed plan whose rules say so now; what was given up. The
    market is `live`'s latest tick where the feed follows the entries' venue, else the venue's ticker."""
    async with core.uow(read_only=True) as uow:
        watched = await uow.entry_rules.watched_plans()
    given_up: list[GivenUp] = []
    for signal, rules in watched:
        assert signal.group_id is not None
        async with core.uow(read_only=True) as uow:
            entries = [o for o in await uow.signals.plan_orders(signal.group_id) if o.role is OrderRole.ENTRY]
            draft = await uow.drafts.get(entries[0].draft_id) if entries and entries[0].draft_id else None
        waiting = [e for e in entries if e.status in LIVE_STATUSES]
        if not waiting:
            continue
        try:
            why = await _why_give_up(core, rules, entries, waiting, draft, live)
        except ExchangeError as error:  # its market unread this pass: the others are still watched
            log.warning("waiting entries of signal %s: %s", signal.id, error.message)
            continue
        if why is not None:
            holding = any(e.filled > 0 for e in entries)
            done = await _give_up(core, signal, waiting, why, holding)
            if done is not None:
                given_up.append(done)
    return given_up


async def _why_give_up(
    core: Core,
    rules: EntryRules,
    entries: Sequence[Order],
    waiting: Sequence[Order],
    draft: OrderDraft | None,
    live: LivePrices | None,
) -> str | None:
    """Why the waiting entries go now, or None. The stop and targets are the plan's as they are now (a
    follow-up may have moved its stop), read from the entries' draft."""
    side = waiting[0].side
    stop = draft.stop_loss if draft is not None else None
    targets = draft.take_profits if draft is not None else ()
    if not any(e.filled > 0 for e in entries):
        ticker = await (
            live.ticker_for(core, waiting[0]) if live is not None else venue_ticker(core, waiting[0])
        )
        if rules.close_on_target_before_entry and targets and target_reached(side, targets[0], ticker):
            return f"target 1 ({price_text(targets[0])}) was reached before any entry filled"
        if rules.cancel_on_stop_before_entry and stop is not None and stop_reached(side, stop, ticker):
            return f"the stop ({price_text(stop)}) was hit before any entry filled"
    if rules.expiry is not None and core.clock.now() >= min(e.created_at for e in waiting) + rules.expiry:
        return f"not filled within {duration_text(rules.expiry)}"
    return None


async def _give_up(
    core: Core, signal: SignalRecord, waiting: Sequence[Order], why: str, holding: bool
) -> GivenUp | None:
    """Cancel each waiting entry through the ordinary cancel path; the trader is told what went in the
    transaction of the last cancel (told once, whichever process books it). None where none was cancelled
    here (filled, or cancelled by another process, meanwhile)."""
    async with core.uow(read_only=True) as uow:
        source = await uow.signals.source_by_id(signal.source_id)
    title = source.title if source else "its source"
    cancelled: list[Order] = []

    def tell(last: Order) -> str | None:
        gone = [*cancelled, last] if last.status is OrderStatus.CANCELLED else cancelled
        return given_up_text(signal, title, gone, why, holding) if gone else None

    told = False
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
    if not cancelled:
        return None
    if not told:  # the last cancel failed: what the others did is told on its own
        async with core.uow() as uow:
            text = given_up_text(signal, title, cancelled, why, holding)
            await add_notices(uow, [(signal.user_id, text)], core.clock.now())
            await uow.commit()
    return GivenUp(signal, tuple(cancelled), why)


def given_up_text(
    signal: SignalRecord, title: str, cancelled: Sequence[Order], why: str, holding: bool
) -> str:
    count = len(cancelled)
    what = "its entry" if count == 1 else f"its {count} waiting entries"
    held = " What filled stays, with its stop and targets." if holding else ""
    return (
        f"⌛ {cancelled[0].symbol} {signal.spec.side.value} signal from {title}: {why}, so {what} "
        f"({', '.join(f'#{o.id}' for o in cancelled)}) {'was' if count == 1 else 'were'} cancelled.{held}"
    )
