"""Keeping our books in step with the exchanges: reconciliation at start-up, open orders, bracket triggers."""

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from trading.domain.enums import OrderRole, OrderStatus, Side
from trading.domain.errors import ExchangeError, TradingError
from trading.domain.ledger import ZERO
from trading.domain.market import parse_symbol
from trading.domain.orders import Order
from trading.domain.signal_records import closing_pnl
from trading.ports import UnitOfWork
from trading.usecases.brackets import fire_leg, guarding, leg_triggered
from trading.usecases.core import Core
from trading.usecases.execution import record_report, settle_submitted, submit
from trading.usecases.signals import ClosedSignal, close_settled_signals
from trading.usecases.venue_stops import sell_target

log = logging.getLogger(__name__)

NEVER_ARRIVED = "Not placed: the exchange never received it (the bot stopped before sending it)."
STOP_NEVER_ARRIVED = (
    "Held by the bot: the exchange never received this stop (the bot stopped before sending it)."
)


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    found: int
    never_arrived: int
    unreachable: int
    # The orders found and booked: a bracket leg among them filled while no tracker was there to tell.
    booked: tuple[Order, ...] = ()


async def reconcile_submitted(core: Core, older_than: timedelta = timedelta(0)) -> ReconcileReport:
    """Ask the exchange about every order written but never acknowledged, by its client order id.

    Found: its fills are booked. Unknown to the exchange: it never left, and is marked so; it is not sent now,
    because the price the trader confirmed may be long gone.
    """
    cutoff = core.clock.now() - older_than
    async with core.uow() as uow:
        pending = [o for o in await uow.orders.with_status([OrderStatus.SUBMITTED]) if o.updated_at <= cutoff]
    never = unreachable = 0
    booked: list[Order] = []
    for order in pending:
        try:
            report = await (await core.exchanges.gateway_of(order.account_id)).fetch_order(
                order.symbol, order.client_order_id
            )
        except ExchangeError as error:
            log.warning("reconcile: order %s: %s", order.client_order_id, error)
            unreachable += 1
            continue
        if report is None:
            await _mark_never_arrived(core, order)
            never += 1
        else:
            booked.append(await record_report(core, order.id, report))
    return ReconcileReport(len(booked), never, unreachable, tuple(booked))


async def _mark_never_arrived(core: Core, order: Order) -> None:
    """An order that never left is refused; but a stop still guards a position the venue never closed, so it
    is armed again, held by the core from now on."""
    status, error = OrderStatus.REJECTED, NEVER_ARRIVED
    if order.role is OrderRole.STOP_LOSS:
        status, error = OrderStatus.ARMED, STOP_NEVER_ARRIVED
    await settle_submitted(core, order.id, status, error)


async def sync_open_orders(core: Core) -> int:
    """Book new fills of every resting order; the number of orders whose state changed."""
    return len(await _sync_open_orders(core))


async def _sync_open_orders(core: Core) -> list[Order]:
    """Book new fills of every resting order; the orders whose state changed, as booked."""
    async with core.uow() as uow:
        live = await uow.orders.with_status([OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED])
    changed: list[Order] = []
    for order in live:
        try:
            report = await (await core.exchanges.gateway_of(order.account_id)).fetch_order(
                order.symbol, order.client_order_id
            )
        except ExchangeError as error:
            log.warning("sync: order %s: %s", order.client_order_id, error)
            continue
        if report is not None and (report.status is not order.status or report.filled != order.filled):
            changed.append(await record_report(core, order.id, report))
    return changed


async def watch_brackets(core: Core) -> list[Order]:
    """Send every armed leg the market has reached; the legs sent."""
    async with core.uow() as uow:
        armed = await uow.orders.with_status([OrderStatus.ARMED])
    sent: list[Order] = []
    for leg in armed:
        gateway = await core.exchanges.gateway_of(leg.account_id)
        if not leg_triggered(leg, await gateway.ticker(leg.symbol)):
            continue
        async with core.uow() as uow:
            fired = await fire_leg(uow, leg, core.clock.now())
            await uow.commit()
        if fired is None:
            continue
        try:
            if fired.role is OrderRole.TAKE_PROFIT:
                sold = await sell_target(
                    core, fired
                )  # lifts the entry's stop first where it rests at the venue
                sent.extend([sold] if sold is not None else [])
            else:
                sent.append(await submit(core, fired, as_market=True))
        except TradingError as error:
            log.warning("bracket leg %s not placed: %s", fired.client_order_id, error)
    return sent


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


async def track_once(core: Core) -> TrackingEvents:
    """One pass of the tracker: book resting orders, fire the legs the market reached, and record the outcome
    of signals whose plans are over. What to tell users comes back from the transitions that happen once (a
    leg claimed and filled by this pass, a signal closed by compare-and-set), so a restarted tracker never
    reports one twice."""
    changed = await _sync_open_orders(core)
    sent = await watch_brackets(core)
    fills = await bracket_fills(core, [*changed, *sent])
    return TrackingEvents(tuple(fills), tuple(await close_settled_signals(core)))


async def bracket_fills(core: Core, booked: list[Order]) -> list[BracketFill]:
    """What the legs among `booked` orders did, once they are done filling; legs of one price and user merged
    (a plan's entries each have their own)."""
    done = [
        o
        for o in booked
        if o.role in (OrderRole.STOP_LOSS, OrderRole.TAKE_PROFIT) and o.status.is_final and o.filled > 0
    ]
    groups: dict[tuple[int, int, str, OrderRole, Decimal | None], list[Order]] = {}
    for leg in done:
        groups.setdefault((leg.user_id, leg.account_id, leg.symbol, leg.role, leg.price), []).append(leg)
    async with core.uow(read_only=True) as uow:
        return [await _bracket_fill(uow, legs) for legs in groups.values()]


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
