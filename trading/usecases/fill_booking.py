"""What booking an exchange's report of an order does inside the transaction that books it: the report's
trades into the books, each once, and what a new fill does to the position's stop and targets (armed, fitted to
what is left, cancelled), with what the venue must then be asked once that transaction is committed (AtVenue,
which trading.usecases.placing carries out)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trading.domain.enums import OrderRole
from trading.domain.ledger import ZERO
from trading.domain.market import parse_symbol
from trading.domain.orders import ExchangeOrder, ExchangeTrade, Fill, Order, OrderDraft
from trading.domain.perpetuals import is_perpetual
from trading.ports import UnitOfWork
from trading.usecases.booking import Books, opens
from trading.usecases.brackets import arm_brackets, disarm_brackets, fit_legs, stop_went_off
from trading.usecases.core import Core
from trading.usecases.futures_legs import StopRefit, refits_after


async def book_trades(
    uow: UnitOfWork, books: Books, order: Order, report: ExchangeOrder, now: datetime
) -> Decimal:
    """Each trade of the report not booked yet, into the books; the P&L they realised."""
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
            realised += books.fill(order, trade)
    return realised


@dataclass(frozen=True, slots=True)
class AtVenue:
    """What the venue must do once a fill's books are written: hold the entry's stop (`stop`), cancel the stops
    of a position closed (`lift`), place again those a futures position outgrew (`refit`)."""

    stop: Order | None = None
    lift: Sequence[Order] = ()
    refit: Sequence[StopRefit] = ()


async def legs_after(
    core: Core, uow: UnitOfWork, order: Order, updated: Order, held: Decimal, draft: OrderDraft | None
) -> AtVenue:
    """What a new fill does to the position's legs: an opening arms (or grows) its stop and targets; a sale, a
    close or a futures target cancels them with the position, or fits them to what is left; a stop that went
    off cancels the targets."""
    if updated.filled <= order.filled:
        return AtVenue()
    now = core.clock.now()
    if opens(order):
        return AtVenue(stop=await arm_brackets(uow, updated, now, await _amount_step(core, order), draft))
    perpetual = is_perpetual(order.symbol)
    if order.role in (OrderRole.ENTRY, OrderRole.CLOSE) or (
        perpetual and order.role is OrderRole.TAKE_PROFIT
    ):
        if not held:
            return AtVenue(lift=await disarm_brackets(uow, order, now))
        await fit_legs(uow, order, held, now)
        if perpetual:
            return AtVenue(refit=await refits_after(uow, order, held))
    elif order.role is OrderRole.STOP_LOSS:
        await stop_went_off(uow, updated, now)
    return AtVenue()


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
