"""Sending a written order to its venue and booking what the venue reports: the one way every order takes
once it is written, whoever wrote it (a confirmed draft, a fired bracket leg, a stop moved or rested again).

Booking an entry's fill arms its stop; where the venue holds stop orders (ExchangeGateway.holds_stops) the stop
then rests there, so it protects the position while the bot is down and the venue fills it without the tracker.
It is first armed in the core, in the transaction that books the fill, so a filled entry is never without a
stop; it is then claimed (armed -> submitted, once across processes) and sent under its own client order id. A
venue that refuses it leaves it armed in the core, the reason on it.
"""

import logging
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from trading.domain.enums import OrderRole, OrderStatus, OrderType
from trading.domain.errors import ExchangeError, ExchangeUnavailable, NotFound
from trading.domain.ledger import ZERO
from trading.domain.orders import ExchangeOrder, Order, OrderDraft, OrderRequest
from trading.domain.perpetuals import is_perpetual
from trading.ports import ExchangeGateway, UnitOfWork
from trading.usecases.booking import books_of, reduce_only
from trading.usecases.brackets import new_leg, stop_of
from trading.usecases.core import Core, new_client_order_id
from trading.usecases.entry_fills import tell_entry_filled
from trading.usecases.fill_booking import AtVenue, book_trades, legs_after
from trading.usecases.futures_events import book_reachable_events
from trading.usecases.notices import add_notices
from trading.usecases.order_metrics import count_acknowledged, count_failed, count_fill, count_refused
from trading.usecases.protection_checks import after_fill

log = logging.getLogger(__name__)
# What a user is told of an order settled out of their sight (reconciliation, a cancel by a rule), rendered
# by the caller from the order as settled; None: nothing to tell.
Tell = Callable[[Order], str | None]
SETTLING = (OrderStatus.SUBMITTED,)


async def submit(
    core: Core, order: Order, *, as_market: bool = False, draft: OrderDraft | None = None
) -> Order:
    """Send a written order to its exchange and book the answer.

    A refusal is recorded on the order and raised. No answer at all leaves it SUBMITTED for reconciliation.
    `as_market` sends a triggered bracket leg at market, whatever its trigger type. `draft`: the order's own,
    where the caller holds it (for its stop and targets, which never change once it is confirmed).
    """
    gateway = await core.exchanges.gateway_of(order.account_id)
    request = OrderRequest(
        order.client_order_id,
        order.symbol,
        order.side,
        OrderType.MARKET if as_market else order.order_type,
        order.quantity,
        None if as_market else order.price,
        reduce_only=reduce_only(order),
    )
    try:
        report = await gateway.create_order(request)
    except ExchangeError as error:
        if error.retryable:
            count_failed(gateway.name, error)
            raise ExchangeUnavailable(
                "The exchange did not confirm the order. It may have been placed: it will be checked with the "
                "exchange within a few minutes, and you will be told how it turned out."
            ) from error
        count_refused(gateway.name, error)
        await reject(core, order, error.message)
        raise
    count_acknowledged(gateway.name, order, core.clock.now())
    return await record_report(core, order.id, report, draft=draft)


async def place_new(core: Core, order: Order) -> Order:
    """Write a new order, then send it: written before its exchange is called, as every order is."""
    async with core.uow() as uow:
        order = await uow.orders.add(order)
        await uow.commit()
    return await submit(core, order)


async def place_again(core: Core, lifted: Order, quantity: Decimal, price: Decimal | None) -> Order:
    """A lifted order placed again as a new one (a new client order id), as it was but for `quantity` at
    `price`: a stop moved, or a resting sell put back after a leg sold past it."""
    now = core.clock.now()
    again = Order(
        id=0,
        user_id=lifted.user_id,
        account_id=lifted.account_id,
        client_order_id=new_client_order_id(),
        symbol=lifted.symbol,
        side=lifted.side,
        order_type=lifted.order_type,
        quantity=quantity,
        price=price,
        status=OrderStatus.SUBMITTED,
        created_at=now,
        updated_at=now,
        role=lifted.role,
    )
    return await place_new(core, again)


async def settle_submitted(
    core: Core, order_id: int, status: OrderStatus, error: str | None = None, tell: Tell | None = None
) -> None:
    """Out of SUBMITTED into `status` (with `error`, where given), by compare-and-set: nothing where another
    caller moved the order first. `tell`: what the order's user is told of it, written with it as a notice."""
    async with core.uow() as uow:
        if await uow.orders.transition(order_id, OrderStatus.SUBMITTED, status):
            current = await uow.orders.get(order_id)
            assert current is not None
            now = core.clock.now()
            settled = replace(current, updated_at=now, error=error if error is not None else current.error)
            await uow.orders.update(settled)
            if tell is not None:
                await _tell(uow, settled, tell, now)
        await uow.commit()


async def reject(core: Core, order: Order, reason: str) -> None:
    """Record that an order was refused, with the reason the trader is shown."""
    async with core.uow() as uow:
        current = await uow.orders.get(order.id) or order
        await uow.orders.update(
            replace(current, status=OrderStatus.REJECTED, error=reason, updated_at=core.clock.now())
        )
        await uow.commit()


async def record_report(
    core: Core,
    order_id: int,
    report: ExchangeOrder,
    tell: Tell | None = None,
    *,
    draft: OrderDraft | None = None,
    leaving: Collection[OrderStatus] = SETTLING,
) -> Order:
    """Book an exchange's report of an order: new trades into the books (each once), status and totals, and
    what they do to the position's stop and targets. `tell`: what the order's user is told of it, written with
    it as a notice, if this report is the one that brings the order out of one of the `leaving` statuses (out
    of SUBMITTED, by default): told once, however many processes book it. `draft`: the order's own, where the
    caller holds it. On futures, what the venue settled on its own before is booked first."""
    now = core.clock.now()
    if is_perpetual(report.symbol):
        account_id = draft.account_id if draft is not None else (await _order(core, order_id)).account_id
        await book_reachable_events(core, account_id)
    # Not durable: a booking lost in a crash leaves the order as it stood (SUBMITTED or live), which
    # reconciliation and the tracker ask the venue about and book again. Every order sent after this one is
    # written by a durable commit, which takes this one to disk with it.
    async with core.uow(durable=False) as uow:
        order = await uow.orders.get(order_id)
        if order is None:
            raise NotFound(f"Order {order_id} does not exist.")
        books = await books_of(uow, order, draft)
        realised = await book_trades(uow, books, order, report, now)
        updated = replace(
            order,
            status=report.status,
            exchange_order_id=report.exchange_order_id,
            filled=report.filled,
            average_price=report.average_price,
            fee=report.fee,
            updated_at=now,
        )
        # Compare-and-set: of processes booking the same report at once, the one that moves the status tells.
        if (
            tell is not None
            and order.status in leaving
            and updated.status is not order.status
            and await uow.orders.transition(order.id, order.status, updated.status)
        ):
            await _tell(uow, updated, tell, now)
        await uow.orders.update(updated)
        await tell_entry_filled(uow, order, updated, draft, now)
        await books.save(uow, order.account_id)
        if realised:
            await uow.ledgers.record_pnl(order.account_id, now.date(), realised)
        at_venue = await legs_after(core, uow, order, updated, books.held(order.symbol), draft)
        await uow.commit()
    await count_fill(core, order, updated, draft, now)
    await _follow_at_venue(core, updated, at_venue)
    await after_fill(core, order, updated)  # a stop-out or a trade closed: the protections look
    return updated


async def _tell(uow: UnitOfWork, order: Order, tell: Tell, now: datetime) -> None:
    text = tell(order)
    if text is not None:
        await add_notices(uow, [(order.user_id, text)], now)


async def _order(core: Core, order_id: int) -> Order:
    async with core.uow(read_only=True) as uow:
        order = await uow.orders.get(order_id)
    if order is None:
        raise NotFound(f"Order {order_id} does not exist.")
    return order


async def _follow_at_venue(core: Core, filled: Order, at_venue: AtVenue) -> None:
    """Once `filled`'s books are written: rest its stop at the venue (or re-place it for the new fill), cancel
    the stops of a position closed, place again those a futures position outgrew."""
    stop = at_venue.stop
    if stop is not None and (
        (stop.status is OrderStatus.ARMED and stop.error is None)
        or (stop.status.is_live and stop.quantity < filled.filled)
    ):
        await follow_entry(core, filled)
    for leg in at_venue.lift:
        try:
            await lift(core, leg)
        except ExchangeError as error:
            log.warning("stop %s of a closed position not cancelled: %s", leg.client_order_id, error)
    for refit in at_venue.refit:
        try:
            await replace_stop(core, refit.stop, refit.quantity, refit.price)
        except ExchangeError as error:
            log.warning("stop %s not fitted to its position: %s", refit.stop.client_order_id, error)


HELD_BY_THE_BOT = "Held by the bot, as the exchange did not take it as a stop order: {reason}"


async def follow_entry(core: Core, entry: Order) -> None:
    """After an entry's fill is booked: send its newly armed stop to the venue, or, where one rests there
    already, re-place it for what has filled since."""
    gateway = await core.exchanges.gateway_of(entry.account_id)
    if not await gateway.holds_stops(entry.symbol):
        return
    async with core.uow(read_only=True) as uow:
        legs = await uow.orders.children(entry.id)
    stop = stop_of(legs)
    if stop is None:
        return
    if stop.status is OrderStatus.ARMED and stop.error is None:
        await rest_stop(core, stop)
        return
    sold = sum((leg.filled for leg in legs if leg.role is OrderRole.TAKE_PROFIT), ZERO)
    wanted = entry.filled - sold
    if stop.status.is_live and stop.quantity < wanted:
        await replace_stop(core, stop, wanted, stop.price)


async def rest_stop(core: Core, stop: Order) -> Order:
    """Rest an armed stop at the venue under its client order id: OPEN there, or, where the venue refuses it,
    armed again in the core with the reason on it (and logged)."""
    async with core.uow() as uow:
        claimed = await uow.orders.transition(stop.id, OrderStatus.ARMED, OrderStatus.SUBMITTED)
        await uow.commit()
    if not claimed:  # the tracker fired it, or another process moved it first
        return stop
    gateway = await core.exchanges.gateway_of(stop.account_id)
    assert stop.price is not None
    request = OrderRequest(
        stop.client_order_id,
        stop.symbol,
        stop.side,
        OrderType.STOP,
        stop.quantity,
        stop.price,
        reduce_only=reduce_only(stop),
    )
    try:
        report: ExchangeOrder | None = await gateway.create_order(request)
    except ExchangeError as error:
        report = await _found(gateway, stop) if error.retryable else None
        if report is None:
            return await _hold_in_core(core, stop, error)
    assert report is not None
    return await record_report(core, stop.id, report)


async def _found(gateway: ExchangeGateway, stop: Order) -> ExchangeOrder | None:
    """The stop, where the venue got it although its answer never came."""
    try:
        return await gateway.fetch_order(stop.symbol, stop.client_order_id)
    except ExchangeError:
        return None


async def _hold_in_core(core: Core, stop: Order, error: ExchangeError) -> Order:
    # The venue's own words (ccxt's exception, kept as the cause) go to the log; the user's sentence on the leg.
    log.warning(
        "stop %s of order %s held by the core: %s (%s)",
        stop.client_order_id,
        stop.parent_id,
        error.message,
        error.__cause__,
    )
    held = replace(
        stop,
        status=OrderStatus.ARMED,
        error=HELD_BY_THE_BOT.format(reason=error.message),
        updated_at=core.clock.now(),
    )
    async with core.uow() as uow:
        if await uow.orders.transition(stop.id, OrderStatus.SUBMITTED, OrderStatus.ARMED):
            await uow.orders.update(held)
        await uow.commit()
    return held


async def lift(core: Core, stop: Order) -> Order:
    """Cancel a stop resting at the venue and book what the venue says of it (it may have filled meanwhile)."""
    gateway = await core.exchanges.gateway_of(stop.account_id)
    report = await gateway.cancel_order(stop.symbol, stop.client_order_id)
    return await record_report(core, stop.id, report)


async def replace_stop(core: Core, stop: Order, quantity: Decimal, price: Decimal | None) -> Order | None:
    """Cancel the resting stop and rest a new one for `quantity` at `price`. None when the cancel finds that the
    stop went off: the position is gone (its fill is booked, the targets cancelled, by record_report)."""
    lifted = await lift(core, stop)
    if lifted.filled > 0:
        return None
    return await rest_new_stop(core, stop, quantity, price or stop.price)


async def rest_new_stop(core: Core, old: Order, quantity: Decimal, price: Decimal | None) -> Order | None:
    """A stop for what is left, written (armed) and then sent to the venue; None when nothing is left."""
    if quantity <= 0 or price is None or old.parent_id is None:
        return None
    async with core.uow() as uow:
        entry = await uow.orders.get(old.parent_id)
        assert entry is not None
        stop = await uow.orders.add(
            new_leg(entry, OrderRole.STOP_LOSS, OrderType.STOP, price, quantity, core.clock.now())
        )
        await uow.commit()
    return await rest_stop(core, stop)
