"""Stop loss and take-profit legs of an entry, held by the core and sent as market orders when triggered.

Held by the core (not resting at the venue) because on a spot venue a stop and its targets would each lock the
same coins; the core can arm all of them and send only the one the market reaches.
"""

from dataclasses import replace
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from trading.domain.enums import OrderRole, OrderStatus, OrderType, Side
from trading.domain.ledger import ZERO
from trading.domain.market import Ticker
from trading.domain.orders import Order
from trading.ports import UnitOfWork
from trading.usecases.core import new_client_order_id


def target_shares(quantity: Decimal, targets: int, step: Decimal) -> list[Decimal]:
    """Equal shares of a quantity over targets, in whole steps of the market; the last takes the remainder so
    that they add up exactly and no dust is left unsold."""
    if targets == 0:
        return []
    share = (quantity / targets / step).to_integral_value(ROUND_DOWN) * step
    shares = [share] * (targets - 1)
    return [*shares, quantity - sum(shares, ZERO)]


async def arm_brackets(uow: UnitOfWork, entry: Order, now: datetime, step: Decimal) -> None:
    """Create or grow the entry's legs so they cover what has filled so far (`step`: the market's amount step)."""
    draft = await uow.drafts.get(entry.draft_id) if entry.draft_id else None
    if draft is None or (draft.stop_loss is None and not draft.take_profits):
        return
    legs = {(leg.role, leg.price): leg for leg in await uow.orders.children(entry.id)}
    wanted: list[tuple[OrderRole, OrderType, Decimal, Decimal]] = []
    if draft.stop_loss is not None:
        wanted.append((OrderRole.STOP_LOSS, OrderType.STOP, draft.stop_loss, entry.filled))
    for target, share in zip(
        draft.take_profits, target_shares(entry.filled, len(draft.take_profits), step), strict=True
    ):
        wanted.append((OrderRole.TAKE_PROFIT, OrderType.LIMIT, target, share))
    for role, order_type, price, quantity in wanted:
        leg = legs.get((role, price))
        if leg is None:
            await uow.orders.add(
                Order(
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
            )
        elif leg.status is OrderStatus.ARMED and leg.quantity != quantity:
            await uow.orders.update(replace(leg, quantity=quantity, updated_at=now))


async def disarm_brackets(uow: UnitOfWork, closing: Order, now: datetime) -> None:
    """A position closed by hand takes its stop and targets with it: they would sell what is no longer held."""
    for leg in await uow.orders.for_user(closing.user_id, [OrderStatus.ARMED], limit=1000):
        if leg.account_id == closing.account_id and leg.symbol == closing.symbol:
            await uow.orders.update(replace(leg, status=OrderStatus.CANCELLED, updated_at=now))


async def _break_even(uow: UnitOfWork, entry_id: int) -> Decimal | None:
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
    Returns the leg to submit, or None when another process got there first.
    """
    if not await uow.orders.transition(leg.id, OrderStatus.ARMED, OrderStatus.SUBMITTED):
        return None
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
            price = await _break_even(uow, leg.parent_id) or sibling.price
            await uow.orders.update(
                replace(sibling, quantity=max(left, ZERO), status=status, price=price, updated_at=now)
            )
    fired = replace(leg, status=OrderStatus.SUBMITTED, updated_at=now)
    await uow.orders.update(fired)
    return fired
