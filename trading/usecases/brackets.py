"""Stop loss and take-profit legs of an entry, held by the core and sent as market orders when triggered.

Targets are always held by the core (not resting at the venue) because on a spot venue a stop and its targets
would each lock the same coins; the core can arm all of them and send only the one the market reaches. The stop
is armed here too, in the same transaction that books the entry's fill, and then moved to a venue that holds
stop orders itself (trading.usecases.placing), so it protects the position while the bot is down.
"""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from trading.domain.enums import LIVE_STATUSES, OrderRole, OrderStatus, OrderType, Side
from trading.domain.ledger import ZERO
from trading.domain.market import Ticker
from trading.domain.orders import Order, OrderDraft
from trading.ports import UnitOfWork
from trading.usecases.core import new_client_order_id
from trading.usecases.source_stop_modes import adopt_source_mode


def target_shares(quantity: Decimal, targets: int, step: Decimal) -> list[Decimal]:
    """Equal shares of a quantity over targets, in whole steps of the market; the last takes the remainder so
    that they add up exactly and no dust is left unsold."""
    if targets == 0:
        return []
    share = (quantity / targets / step).to_integral_value(ROUND_DOWN) * step
    shares = [share] * (targets - 1)
    return [*shares, quantity - sum(shares, ZERO)]


def guarding(leg: Order) -> bool:
    """A leg that still guards its position: armed in the core, on its way to the venue, or resting there."""
    return not leg.status.is_final


def stop_of(legs: Sequence[Order]) -> Order | None:
    """The entry's stop that still guards it (a stop re-placed at the venue leaves its cancelled forerunners)."""
    return next((leg for leg in legs if leg.role is OrderRole.STOP_LOSS and guarding(leg)), None)


def new_leg(
    entry: Order, role: OrderRole, order_type: OrderType, price: Decimal, quantity: Decimal, now: datetime
) -> Order:
    """A leg of the entry, armed in the core, with its own client order id (under which a venue would hold it)."""
    return Order(
        id=0,
        user_id=entry.user_id,
        account_id=entry.account_id,
        client_order_id=new_client_order_id(),
        symbol=entry.symbol,
        side=entry.side.opposite,
        order_type=order_type,
        quantity=quantity,
        price=price,
        status=OrderStatus.ARMED,
        created_at=now,
        updated_at=now,
        role=role,
        parent_id=entry.id,
    )


async def arm_brackets(
    uow: UnitOfWork, entry: Order, now: datetime, step: Decimal, draft: OrderDraft | None = None
) -> Order | None:
    """Create or grow the entry's legs so they cover what has filled so far (`step`: the market's amount step);
    the entry's stop, if it has one. A stop resting at the venue is not grown here: that takes the venue's
    cancel and a new order, after this transaction (placing.follow_entry). `draft`: the entry's, where the
    caller holds it; read otherwise."""
    if draft is None or draft.id != entry.draft_id:
        draft = await uow.drafts.get(entry.draft_id) if entry.draft_id else None
    if draft is None or (draft.stop_loss is None and not draft.take_profits):
        return None
    children = await uow.orders.children(entry.id)
    legs = {(leg.role, leg.price): leg for leg in children if leg.role is OrderRole.TAKE_PROFIT}
    stop = stop_of(children) or next((leg for leg in children if leg.role is OrderRole.STOP_LOSS), None)
    if draft.stop_loss is not None:
        if stop is None:
            leg = new_leg(entry, OrderRole.STOP_LOSS, OrderType.STOP, draft.stop_loss, entry.filled, now)
            stop = await uow.orders.add(leg)
            await adopt_source_mode(uow, entry, stop, draft, now)
        elif stop.status is OrderStatus.ARMED and stop.quantity != entry.filled:
            stop = replace(stop, quantity=entry.filled, updated_at=now)
            await uow.orders.update(stop)
    for target, share in zip(
        draft.take_profits, target_shares(entry.filled, len(draft.take_profits), step), strict=True
    ):
        found = legs.get((OrderRole.TAKE_PROFIT, target))
        if found is None:
            await uow.orders.add(new_leg(entry, OrderRole.TAKE_PROFIT, OrderType.LIMIT, target, share, now))
        elif found.status is OrderStatus.ARMED and found.quantity != share:
            await uow.orders.update(replace(found, quantity=share, updated_at=now))
    return stop


async def disarm_brackets(uow: UnitOfWork, closing: Order, now: datetime) -> list[Order]:
    """A position closed by hand takes its stop and targets with it: they would sell what is no longer held.
    The legs held by the core are cancelled here; those resting at the venue come back, to be cancelled there."""
    at_venue: list[Order] = []
    statuses = [OrderStatus.ARMED, *LIVE_STATUSES]
    for leg in await uow.orders.for_account(closing.account_id, statuses, closing.symbol):
        if leg.parent_id is None:
            continue
        if leg.status is OrderStatus.ARMED:
            await uow.orders.update(replace(leg, status=OrderStatus.CANCELLED, updated_at=now))
        elif leg.role is OrderRole.STOP_LOSS:
            at_venue.append(leg)
    return at_venue


async def fit_legs(uow: UnitOfWork, sale: Order, held: Decimal, now: datetime) -> None:
    """Part of a position sold by hand: no leg held by the core is left to sell more than is still held."""
    for leg in await uow.orders.for_account(sale.account_id, [OrderStatus.ARMED], sale.symbol):
        if leg.parent_id is not None and leg.quantity > held:
            await uow.orders.update(replace(leg, quantity=held, updated_at=now))


async def stop_went_off(uow: UnitOfWork, stop: Order, now: datetime) -> None:
    """A stop that filled at the venue closed the position: the targets still armed would sell nothing."""
    assert stop.parent_id is not None
    for sibling in await uow.orders.children(stop.parent_id):
        if sibling.id != stop.id and sibling.status is OrderStatus.ARMED:
            await uow.orders.update(replace(sibling, status=OrderStatus.CANCELLED, updated_at=now))


async def break_even(uow: UnitOfWork, entry_id: int) -> Decimal | None:
    """The entry's price, where its trader asked for the stop to move there once a target is hit."""
    entry = await uow.orders.get(entry_id)
    draft = await uow.drafts.get(entry.draft_id) if entry and entry.draft_id else None
    if entry is None or draft is None or not draft.move_stop_to_entry:
        return None
    return entry.average_price


def leg_triggered(leg: Order, ticker: Ticker) -> bool:
    """A leg closes the entry: it sells at the bid (or buys back at the ask for a short)."""
    assert leg.price is not None
    price = ticker.bid if leg.side is Side.SELL else ticker.ask
    if leg.role is OrderRole.STOP_LOSS:
        return price <= leg.price if leg.side is Side.SELL else price >= leg.price
    return price >= leg.price if leg.side is Side.SELL else price <= leg.price


async def fire_leg(uow: UnitOfWork, leg: Order, now: datetime) -> Order | None:
    """Claim a triggered leg for submission (once, across processes) and settle its siblings.

    A stop cancels the targets still armed; a target shrinks the stop by its share, and the last one cancels it.
    Returns the leg to submit, or None when another process got there first, or when the leg was moved since
    `leg` was read (its trader set the stop elsewhere): the caller then commits nothing, and the leg stays armed
    at its new price.
    """
    if not await uow.orders.transition(leg.id, OrderStatus.ARMED, OrderStatus.SUBMITTED):
        return None
    current = await uow.orders.get(leg.id)
    if current is None or current.price != leg.price:
        return None
    leg = current
    assert leg.parent_id is not None
    siblings = [
        s
        for s in await uow.orders.children(leg.parent_id)
        if s.id != leg.id and s.status is OrderStatus.ARMED
    ]
    for sibling in siblings:
        if leg.role is OrderRole.STOP_LOSS:
            await uow.orders.update(replace(sibling, status=OrderStatus.CANCELLED, updated_at=now))
        elif sibling.role is OrderRole.STOP_LOSS:
            left = sibling.quantity - leg.quantity
            others = [s for s in siblings if s.role is OrderRole.TAKE_PROFIT]
            status = OrderStatus.CANCELLED if left <= 0 or not others else OrderStatus.ARMED
            price = await break_even(uow, leg.parent_id) or sibling.price
            await uow.orders.update(
                replace(sibling, quantity=max(left, ZERO), status=status, price=price, updated_at=now)
            )
    fired = replace(leg, status=OrderStatus.SUBMITTED, updated_at=now)
    await uow.orders.update(fired)
    return fired
