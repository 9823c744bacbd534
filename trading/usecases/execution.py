"""Confirming a draft into exactly one order, submitting it, and booking what the exchange reports."""

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from trading.domain.enums import DraftStatus, OrderRole, OrderStatus, OrderType, Side
from trading.domain.errors import (
    DraftAlreadyUsed,
    DraftExpired,
    ExchangeError,
    ExchangeUnavailable,
    InvalidInput,
    NotFound,
)
from trading.domain.ledger import ZERO
from trading.domain.market import parse_symbol
from trading.domain.orders import ExchangeOrder, ExchangeTrade, Fill, Order, OrderDraft, OrderRequest
from trading.ports import UnitOfWork
from trading.usecases.brackets import arm_brackets, disarm_brackets, fit_legs, stop_went_off
from trading.usecases.core import Core, new_client_order_id
from trading.usecases.notices import add_notices

log = logging.getLogger(__name__)
# What a user is told of an order settled out of their sight (reconciliation), rendered by the caller.
Tell = Callable[[Order], str]


async def confirm_draft(core: Core, user_id: int, draft_id: str) -> Order:
    """One tap, one order: the draft is claimed by compare-and-set and the order written before the exchange
    is called. A second confirmation, from any process, gets DraftAlreadyUsed."""
    now = core.clock.now()
    async with core.uow() as uow:
        draft = await uow.drafts.claim(draft_id, user_id, now)
        if draft is None:
            raise await _why_unclaimed(uow, draft_id, user_id)
        if draft.replaces_order_id is None:
            order = await uow.orders.add(order_from(draft, now))
        await uow.commit()
    if draft.replaces_order_id is not None:
        # stop_moves places through this module: imported when first needed, to keep the import one way.
        from trading.usecases import stop_moves

        return await stop_moves.move_stop(core, draft)
    if order.side is Side.SELL:
        # venue_stops books through this module: imported when first needed, to keep the import one way.
        from trading.usecases import venue_stops

        return await venue_stops.sell_by_hand(core, order)
    return await submit(core, order, draft=draft)


async def _why_unclaimed(uow: UnitOfWork, draft_id: str, user_id: int) -> Exception:
    draft = await uow.drafts.get(draft_id)
    if draft is None or draft.user_id != user_id:
        return NotFound("That order preview was not found.")
    if draft.status is DraftStatus.SUBMITTED:
        return DraftAlreadyUsed("This order was already confirmed; it is placed only once.")
    if draft.status is DraftStatus.CANCELLED:
        return DraftAlreadyUsed("This order preview was cancelled.")
    return DraftExpired("This order preview has expired; ask again for a fresh price.")


def order_from(draft: OrderDraft, now: datetime) -> Order:
    """The order a confirmed draft becomes, written before its exchange is called."""
    return Order(
        id=0,
        user_id=draft.user_id,
        account_id=draft.account_id,
        client_order_id=new_client_order_id(),
        symbol=draft.symbol,
        side=draft.side,
        order_type=draft.order_type,
        quantity=draft.quantity,
        price=draft.price,
        status=OrderStatus.SUBMITTED,
        created_at=now,
        updated_at=now,
        draft_id=draft.id,
    )


async def cancel_draft(core: Core, user_id: int, draft_id: str) -> None:
    async with core.uow() as uow:
        if not await uow.drafts.cancel(draft_id, user_id):
            draft = await uow.drafts.get(draft_id)
            if draft is None or draft.user_id != user_id:
                raise NotFound("That order preview was not found.")
            raise DraftAlreadyUsed(
                "This preview can no longer be cancelled: it was confirmed or has expired."
            )
        await uow.commit()


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
    )
    try:
        report = await gateway.create_order(request)
    except ExchangeError as error:
        if error.retryable:
            raise ExchangeUnavailable(
                "The exchange did not confirm the order. It may have been placed: it will be checked with the "
                "exchange within a few minutes, and you will be told how it turned out."
            ) from error
        await reject(core, order, error.message)
        raise
    return await record_report(core, order.id, report, draft=draft)


async def place_new(core: Core, order: Order) -> Order:
    """Write a new order, then send it: written before its exchange is called, as every order is."""
    async with core.uow() as uow:
        order = await uow.orders.add(order)
        await uow.commit()
    return await submit(core, order)


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
                await add_notices(uow, [(settled.user_id, tell(settled))], now)
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
) -> Order:
    """Book an exchange's report of an order: new trades into the ledger (each once), status and totals.
    `tell`: what the order's user is told of it, written with it as a notice, if this report is the one that
    brings the order out of SUBMITTED. `draft`: the order's own, where the caller holds it."""
    now = core.clock.now()
    async with core.uow() as uow:
        order = await uow.orders.get(order_id)
        if order is None:
            raise NotFound(f"Order {order_id} does not exist.")
        ledger = await uow.ledgers.load(order.account_id, for_update=True)
        realised = ZERO
        for trade in _trades_of(order, report, now):
            fill = Fill(
                order.id,
                trade.trade_id,
                trade.quantity,
                trade.price,
                trade.fee,
                trade.fee_currency,
                trade.timestamp,
            )
            if await uow.fills.add(fill):
                effect = ledger.apply_fill(
                    order.symbol, order.side, trade.quantity, trade.price, trade.fee, trade.fee_currency
                )
                ledger, realised = effect.ledger, realised + effect.realised_pnl
        updated = replace(
            order,
            status=report.status,
            exchange_order_id=report.exchange_order_id,
            filled=report.filled,
            average_price=report.average_price,
            fee=report.fee,
            updated_at=now,
        )
        await uow.orders.update(updated)
        if tell is not None and order.status is OrderStatus.SUBMITTED:
            await add_notices(uow, [(order.user_id, tell(updated))], now)
        await uow.ledgers.save(order.account_id, ledger)
        if realised:
            await uow.ledgers.record_pnl(order.account_id, now.date(), realised)
        stop: Order | None = None
        at_venue: list[Order] = []
        if order.role is OrderRole.ENTRY and updated.filled > order.filled:
            if order.side is Side.BUY:
                stop = await arm_brackets(uow, updated, now, await _amount_step(core, order), draft)
            elif not (held := ledger.positions[order.symbol].quantity):
                at_venue = await disarm_brackets(uow, order, now)
            else:
                await fit_legs(uow, order, held, now)
        elif order.role is OrderRole.STOP_LOSS and updated.filled > order.filled:
            await stop_went_off(uow, updated, now)
        await uow.commit()
    if stop is not None or at_venue:
        await _follow_at_venue(core, updated, stop, at_venue)
    return updated


async def _follow_at_venue(core: Core, entry: Order, stop: Order | None, at_venue: list[Order]) -> None:
    """What the venue must do once the books are written: hold the entry's stop (or re-place it for the new
    fill), or cancel the stops of a position closed by hand."""
    # venue_stops books through record_report: imported here, when first needed, to keep the import one way.
    from trading.usecases import venue_stops

    if stop is not None and (
        (stop.status is OrderStatus.ARMED and stop.error is None)
        or (stop.status.is_live and stop.quantity < entry.filled)
    ):
        await venue_stops.follow_entry(core, entry)
    for leg in at_venue:
        try:
            await venue_stops.lift(core, leg)
        except ExchangeError as error:
            log.warning("stop %s of a closed position not cancelled: %s", leg.client_order_id, error)


async def _amount_step(core: Core, order: Order) -> Decimal:
    gateway = await core.exchanges.gateway_of(order.account_id)
    return (await gateway.market(order.symbol)).amount_step


def _trades_of(order: Order, report: ExchangeOrder, now: datetime) -> tuple[ExchangeTrade, ...]:
    """The report's trades; a venue that gives only totals yields one trade for what filled since last time."""
    if report.trades or report.filled <= order.filled:
        return report.trades
    previous_value = order.filled * (order.average_price or ZERO)
    delta = report.filled - order.filled
    price = ((report.filled * (report.average_price or ZERO)) - previous_value) / delta
    fee = report.fee - order.fee
    _, quote = parse_symbol(order.symbol)
    return (ExchangeTrade(f"cum-{report.filled}", delta, price, max(fee, ZERO), quote, now),)


async def cancel_order(core: Core, user_id: int, order_id: int) -> Order:
    """Cancel a resting order, or disarm a bracket leg held by the core."""
    async with core.uow() as uow:
        order = await uow.orders.get(order_id)
        if order is None or order.user_id != user_id:
            raise NotFound("That order was not found.")
        if order.status is OrderStatus.ARMED:
            cancelled = replace(order, status=OrderStatus.CANCELLED, updated_at=core.clock.now())
            await uow.orders.update(cancelled)
            await uow.commit()
            return cancelled
    if not order.status.is_live:
        raise InvalidInput(
            f"Order {order.id} is {order.status.value.replace('_', ' ')}; only open orders cancel."
        )
    gateway = await core.exchanges.gateway_of(order.account_id)
    report = await gateway.cancel_order(order.symbol, order.client_order_id)
    return await record_report(core, order.id, report)
