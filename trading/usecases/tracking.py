"""Keeping our books in step with the exchanges: reconciliation at start-up, open orders, bracket triggers."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from trading.domain.enums import LIVE_STATUSES, OrderRole, OrderStatus
from trading.domain.errors import ExchangeError, TradingError
from trading.domain.orders import Order
from trading.domain.perpetuals import is_perpetual
from trading.metrics import trade_metrics
from trading.usecases.brackets import fire_leg, leg_triggered
from trading.usecases.core import Core
from trading.usecases.entry_watch import watch_waiting_entries
from trading.usecases.futures_events import book_holding_accounts
from trading.usecases.live_prices import LivePrices, venue_ticker
from trading.usecases.order_metrics import count_reconciliation
from trading.usecases.placing import Tell, record_report, settle_submitted, submit
from trading.usecases.signals import close_settled_signals
from trading.usecases.venue_stops import sell_leg, sell_target

log = logging.getLogger(__name__)

NEVER_ARRIVED = "Not placed: the exchange never received it."
STOP_NEVER_ARRIVED = "Held by the bot: the exchange never received this stop."
# The longest an order is in flight to its exchange: create_order's retries (four tries, each a look-up and a
# send of up to 10 s, and their pauses) end within about 90 s. An order SUBMITTED for longer lost its answer,
# and the running tracker asks the exchange about it; a younger one may still be in flight in some process.
IN_FLIGHT_AT_MOST = timedelta(minutes=5)
# Unless the process sending it has stopped: a serving process beats every 5 s (storage.liveness), and one
# silent this long is gone, so whatever it left SUBMITTED is sent by nobody and is looked up at once.
SILENT_AT_MOST = timedelta(seconds=20)


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    found: int
    never_arrived: int
    unreachable: int


async def reconcile_submitted(
    core: Core, older_than: timedelta = timedelta(0), tell: Tell | None = None
) -> ReconcileReport:
    """Ask the exchange about every order written but never acknowledged, by its client order id.

    Those written `older_than` ago or more, and those whose process has gone silent (SILENT_AT_MOST): a
    younger one may still be in flight in the process sending it. Found: its fills are booked. Unknown to the
    exchange: it never left, and is marked so; it is not sent now, because the price the trader confirmed may
    be long gone. `tell`: what the user who confirmed an entry is told of its outcome (they were told it would
    be checked), written with it as a notice.
    """
    now = core.clock.now()
    async with core.uow() as uow:
        pending = await uow.orders.unattended(now - older_than, now - SILENT_AT_MOST)
    found = never = unreachable = 0
    for order in pending:
        told = tell if order.role is OrderRole.ENTRY else None
        try:
            report = await (await core.exchanges.gateway_of(order.account_id)).fetch_order(
                order.symbol, order.client_order_id
            )
        except ExchangeError as error:
            log.warning("reconcile: order %s: %s", order.client_order_id, error)
            unreachable += 1
            continue
        if report is None:
            await _mark_never_arrived(core, order, told)
            never += 1
        else:
            await record_report(core, order.id, report, told)
            found += 1
    count_reconciliation(found, never, unreachable)
    return ReconcileReport(found, never, unreachable)


async def _mark_never_arrived(core: Core, order: Order, tell: Tell | None) -> None:
    """An order that never left is refused; but a stop still guards a position the venue never closed, so it
    is armed again, held by the core from now on."""
    status, error = OrderStatus.REJECTED, NEVER_ARRIVED
    if order.role is OrderRole.STOP_LOSS:
        status, error = OrderStatus.ARMED, STOP_NEVER_ARRIVED
    await settle_submitted(core, order.id, status, error, tell)


async def sync_open_orders(core: Core) -> int:
    """Book new fills of every resting order; the number of orders whose state changed."""
    async with core.uow() as uow:
        live = await uow.orders.with_status(LIVE_STATUSES)
    changed = 0
    for order in live:
        try:
            report = await (await core.exchanges.gateway_of(order.account_id)).fetch_order(
                order.symbol, order.client_order_id
            )
        except ExchangeError as error:
            log.warning("sync: order %s: %s", order.client_order_id, error)
            continue
        if report is not None and (report.status is not order.status or report.filled != order.filled):
            await record_report(core, order.id, report)
            changed += 1
    return changed


async def watch_brackets(core: Core, live: LivePrices | None = None) -> list[Order]:
    """Send every armed leg the market has reached; the legs sent. A leg's market is `live`'s latest tick where
    the feed follows the leg's venue, else (and without `live`) its venue's ticker."""
    async with core.uow() as uow:
        armed = await uow.orders.with_status([OrderStatus.ARMED])
    sent: list[Order] = []
    for leg in armed:
        ticker = await (live.ticker_for(core, leg) if live is not None else venue_ticker(core, leg))
        if leg_triggered(leg, ticker):
            sent.extend(await send_reached(core, leg))
    return sent


async def send_reached(core: Core, leg: Order) -> list[Order]:
    """Claim an armed leg the market has reached and send it; what was sent. Nothing when another process
    claimed it first, or when it was moved since `leg` was read (it stays armed at its new price)."""
    async with core.uow() as uow:
        fired = await fire_leg(uow, leg, core.clock.now())
        if fired is None:
            return []  # the transaction is rolled back
        await uow.commit()
    try:
        if is_perpetual(fired.symbol):  # reduce-only: it locks nothing and never goes past the position
            return [await submit(core, fired, as_market=True)]
        if fired.role is OrderRole.TAKE_PROFIT:
            sold = await sell_target(core, fired)  # lifts the entry's stop first where it rests at the venue
            return [sold] if sold is not None else []
        return [await sell_leg(core, fired)]
    except TradingError as error:
        log.warning("bracket leg %s not placed: %s", fired.client_order_id, error)
        return []


async def track_once(core: Core, live: LivePrices | None = None) -> None:
    """One pass of the tracker: book what futures venues settled (funding, liquidations), book resting orders,
    fire the legs the market reached (at `live`'s prices where it follows their venue), give up the waiting
    entries their source's entry rules give up (trading.usecases.entry_watch), and record the outcome
    of signals whose plans are over, each in transactions of its own. What to tell users is not returned: a leg
    ended and a signal closed stay unreported in the database until told (see reporting)."""
    await book_holding_accounts(core)
    await sync_open_orders(core)
    await watch_brackets(core, live)
    await watch_waiting_entries(core, live)
    await close_settled_signals(core)
    trade_metrics().tracker_last_pass.set_to_current_time()
