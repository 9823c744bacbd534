"""What the tracker tells users, derived from the database rather than from the pass that did it.

A stop or target that ended and a signal that closed stay unreported (reported_at empty) until their notices
are written, and the notices and the marks commit in one transaction: a crash between the tracker's
transitions and their report, or a leg booked by start-up reconciliation, is told by the next report, once."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from trading.domain.enums import OrderRole, Side
from trading.domain.ledger import ZERO
from trading.domain.market import parse_symbol
from trading.domain.orders import Order
from trading.domain.signal_records import SignalOutcome, SignalRecord, closing_pnl
from trading.ports import UnitOfWork
from trading.usecases.brackets import guarding
from trading.usecases.core import Core
from trading.usecases.notices import add_notices
from trading.usecases.signals import ClosedSignal

# Read every pass: a backlog (after an outage) is told over the next passes.
PER_PASS = 200


@dataclass(frozen=True, slots=True)
class BracketFill:
    """A stop or a target reached and filled: the legs of one price, summed over the entries they guard."""

    user_id: int
    symbol: str
    role: OrderRole
    side: Side  # the legs' side: a sell closes a long
    quantity: Decimal
    price: Decimal  # average fill price
    pnl: Decimal  # net of fees, in the quote currency
    quote: str
    target: int | None = None  # which target (from 1), where it is one
    targets: int = 0
    stop_moved_to: Decimal | None = None  # the entry's price, where this first target moved the stop there
    closed: bool = False  # nothing of the position is left armed


@dataclass(frozen=True, slots=True)
class TrackingEvents:
    fills: tuple[BracketFill, ...]
    closed: tuple[ClosedSignal, ...]


NOTHING = TrackingEvents((), ())


async def report_tracked(
    core: Core,
    fill_text: Callable[[BracketFill], str],
    closed_text: Callable[[ClosedSignal], str],
) -> TrackingEvents:
    """Owe each user a notice of their legs filled and signals closed not yet reported, and mark those
    reported, in one transaction; what was told. A leg that ended unfilled and a signal closed without an
    outcome are marked with nothing told, so that the next pass does not read them again."""
    async with core.uow(read_only=True) as uow:
        legs = await uow.orders.unreported_legs(PER_PASS)
        signals = await uow.signals.unreported_closed(PER_PASS)
        if not legs and not signals:
            return NOTHING
        fills = [await _bracket_fill(uow, group) for group in _by_price([o for o in legs if o.filled > 0])]
        closed = [c for s in signals if (c := await _closed_signal(uow, s)) is not None]
    now = core.clock.now()
    async with core.uow() as uow:
        marked = await uow.orders.mark_reported([leg.id for leg in legs], now)
        marked += await uow.signals.mark_reported([signal.id for signal in signals], now)
        if marked != len(legs) + len(signals):  # another tracker told some of them: those notices are its own
            return NOTHING  # rolled back: the next pass reads what is still unreported
        told = [(fill.user_id, fill_text(fill)) for fill in fills]
        await add_notices(uow, told + [(c.signal.user_id, closed_text(c)) for c in closed], now)
        await uow.commit()
    return TrackingEvents(tuple(fills), tuple(closed))


def _by_price(legs: Sequence[Order]) -> list[list[Order]]:
    """Legs of one price and user merged: a plan's entries each have their own, filled together."""
    groups: dict[tuple[int, int, str, OrderRole, Decimal | None], list[Order]] = {}
    for leg in legs:
        groups.setdefault((leg.user_id, leg.account_id, leg.symbol, leg.role, leg.price), []).append(leg)
    return list(groups.values())


async def _closed_signal(uow: UnitOfWork, signal: SignalRecord) -> ClosedSignal | None:
    if signal.outcome is None or signal.pnl is None or signal.group_id is None:
        return None  # nothing it opened was sold through its legs: no result to tell
    orders = await uow.signals.plan_orders(signal.group_id)
    symbol = orders[0].symbol if orders else signal.spec.symbol
    source = await uow.signals.source_by_id(signal.source_id)
    title = source.title if source else "a source"
    _, quote = parse_symbol(symbol)
    return ClosedSignal(signal, title, symbol, SignalOutcome(signal.outcome), signal.pnl, quote)


async def _bracket_fill(uow: UnitOfWork, legs: list[Order]) -> BracketFill:
    first = legs[0]
    _, quote = parse_symbol(first.symbol)
    quantity = sum((leg.filled for leg in legs), ZERO)
    value = sum((leg.filled * (leg.average_price or ZERO) for leg in legs), ZERO)
    pnl, target, targets, moved, closed = ZERO, None, 0, None, True
    for leg in legs:
        assert leg.parent_id is not None
        entry = await uow.orders.get(leg.parent_id)
        if entry is None:
            continue
        pnl += closing_pnl(
            entry.side, await uow.fills.for_order(entry.id), await uow.fills.for_order(leg.id), quote
        )
        siblings = await uow.orders.children(entry.id)
        closed = closed and not any(guarding(s) for s in siblings if s.id != leg.id)
        draft = await uow.drafts.get(entry.draft_id) if entry.draft_id else None
        if draft is None or leg.role is not OrderRole.TAKE_PROFIT or leg.price not in draft.take_profits:
            continue
        target, targets = draft.take_profits.index(leg.price) + 1, len(draft.take_profits)
        if target == 1 and draft.move_stop_to_entry:
            stop = [s for s in siblings if s.role is OrderRole.STOP_LOSS and guarding(s)]
            if stop and stop[0].price == entry.average_price:
                moved = stop[0].price
    return BracketFill(
        first.user_id,
        first.symbol,
        first.role,
        first.side,
        quantity,
        value / quantity,
        pnl,
        quote,
        target,
        targets,
        moved,
        closed,
    )
