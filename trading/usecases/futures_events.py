"""What a futures venue settles on its own, booked into the core's book as the venue reports it and told to the
trader: funding every funding interval, and a position liquidated (its stop and targets then cancelled).

Each event is booked once, by the venue's id for it, with the notice that tells of it in the same transaction.
The tracker asks every futures account with an open position each pass (the venue settles what is due as it is
asked); an order's booking asks first (placing.record_report), so that the book meets the venue's events in
the order the venue made them, unless the venue's records are out of reach: the fill is booked even so, and the
events on a later pass.
"""

import logging
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from trading.domain.enums import OrderStatus
from trading.domain.errors import ExchangeError, InvalidInput, TradingError
from trading.domain.futures import FundingPayment
from trading.domain.futures_events import EventDetail, Liquidated
from trading.domain.futures_ledger import FuturesBook
from trading.domain.futures_math import settle_currency
from trading.domain.ledger import ZERO
from trading.domain.market import parse_symbol
from trading.domain.money import price_text
from trading.ports import FuturesEventSource, UnitOfWork
from trading.usecases.core import Core
from trading.usecases.notices import add_notices

log = logging.getLogger(__name__)

Settled = FundingPayment | Liquidated


async def book_venue_events(core: Core, account_id: int) -> int:
    """Book the events the account's venue reports that the books lack; how many were booked."""
    gateway = await core.exchanges.gateway_of(account_id)
    if not isinstance(gateway, FuturesEventSource):
        return 0
    async with core.uow(read_only=True) as uow:
        since = await uow.futures_books.last_event_at(account_id)
        booked_already = await uow.futures_books.booked_since(account_id, since) if since else set()
    # The venue lists the events at `since` again: those booked are left out before the book reckons any.
    events = [event for event in await gateway.account_events(since) if event.event_id not in booked_already]
    if not events:
        return 0
    now = core.clock.now()
    async with core.uow() as uow:
        account = await uow.accounts.get(account_id)
        if account is None:
            return 0
        book = await uow.futures_books.load(account_id, for_update=True)
        booked = 0
        for event in events:
            try:
                after, detail = _booked(book, event.detail)
            except TradingError as error:  # the books lack what it acts on yet (a fill still to book): later
                log.warning("futures event %s of account %s waits: %s", event.event_id, account_id, error)
                break
            if await uow.futures_books.add_event(account_id, replace(event, detail=detail), _paid(detail)):
                await _after(uow, account.user_id, account_id, book, detail, now)
                book, booked = after, booked + 1
        await uow.futures_books.save(account_id, book)
        await uow.commit()
    return booked


async def book_reachable_events(core: Core, account_id: int) -> int:
    """As book_venue_events, where the venue's records can be read: a venue whose records are out of reach
    keeps neither an order's booking nor a preview waiting (the next tracker pass books them)."""
    try:
        return await book_venue_events(core, account_id)
    except ExchangeError as error:
        log.warning("futures events of account %s not read: %s", account_id, error)
        return 0


async def book_holding_accounts(core: Core) -> int:
    """The tracker's pass over the futures accounts with open positions; the events booked (one venue down
    keeps no other's events unbooked)."""
    async with core.uow(read_only=True) as uow:
        holding = await uow.futures_books.holding()
    return sum([await book_reachable_events(core, account_id) for account_id in holding])


def _booked(book: FuturesBook, detail: EventDetail) -> tuple[FuturesBook, Settled]:
    """The book after the event, and the event as booked: a liquidation reported as a fill with what it
    realised and took reckoned on the book's position."""
    if isinstance(detail, FundingPayment):
        return book.settle_funding(detail).book, detail
    if isinstance(detail, Liquidated):
        return book.liquidated(detail.symbol, detail.realised_pnl, detail.clearance_fee).book, detail
    symbol, position = detail.symbol, book.positions.get(detail.symbol)
    if position is None:
        raise InvalidInput(f"There is no open {symbol} position to liquidate.")
    if detail.size >= position.size:
        effect = book.liquidated_at(symbol, detail.price)
        after, realised, clearance = effect.book, effect.realised_pnl, effect.clearance_fee
    else:  # a partial liquidation (a large position's, tier by tier): a reduction at the venue's price
        fill = book.apply_fill(
            symbol,
            position.side.closing_side,
            detail.size,
            detail.price,
            ZERO,
            leverage=position.leverage,
            margin_mode=position.margin_mode,
            reduce_only=True,
        )
        after, realised, clearance = fill.book, fill.realised_pnl, ZERO
    size = min(detail.size, position.size)
    return after, Liquidated(symbol, position.side, size, detail.price, realised, clearance, detail.timestamp)


def _paid(detail: Settled) -> Decimal:
    """What the account paid by the event (negative: received)."""
    return detail.amount if isinstance(detail, FundingPayment) else detail.loss


async def _after(
    uow: UnitOfWork, user_id: int, account_id: int, book: FuturesBook, detail: Settled, now: datetime
) -> None:
    """What goes with an event booked: its notice; a liquidation's realised P&L for the day, and the stop and
    targets of the position it closed cancelled."""
    if isinstance(detail, FundingPayment):
        await add_notices(uow, [(user_id, funding_text(book, detail))], now)
        return
    await uow.ledgers.record_pnl(account_id, now.date(), detail.realised_pnl - detail.clearance_fee)
    for leg in await uow.orders.for_account(account_id, [OrderStatus.ARMED], detail.symbol):
        await uow.orders.update(replace(leg, status=OrderStatus.CANCELLED, updated_at=now))
    await add_notices(uow, [(user_id, liquidation_text(detail))], now)


def funding_text(book: FuturesBook, payment: FundingPayment) -> str:
    base, _ = parse_symbol(payment.symbol)
    currency = settle_currency(payment.symbol)
    position = book.positions.get(payment.symbol)
    held = f"your {base} {position.side}" if position is not None else f"your {base} position"
    verb = "paid" if payment.amount >= 0 else "received"
    rate = "" if payment.rate is None else f" (rate {payment.rate * 100:.4f}%)"
    return f"💸 Funding on {held}: {verb} {abs(payment.amount):,.2f} {currency}{rate}."


def liquidation_text(liquidated: Liquidated) -> str:
    base, _ = parse_symbol(liquidated.symbol)
    currency = settle_currency(liquidated.symbol)
    return (
        f"⚠️ Your {base} {liquidated.side} of {liquidated.size.normalize():f} {base} was liquidated at "
        f"{price_text(liquidated.mark_price)}: {liquidated.loss:,.2f} {currency} of margin lost. Its stop and "
        "targets were cancelled."
    )
