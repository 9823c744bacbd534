"""Selling past the stops that rest at the venue (ExchangeGateway.holds_stops), where a resting stop locks the
coins it guards. Targets stay in the core: a target lifts the stop, sells its share and rests a new stop for
what is left; a leg or a sell by hand lifts the trader's own resting sells and rests them again afterwards.
"""

import logging
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from trading.domain.enums import LIVE_STATUSES, OrderRole, OrderStatus
from trading.domain.errors import ExchangeError, InvalidOrder, TradingError
from trading.domain.ledger import ZERO
from trading.domain.market import parse_symbol
from trading.domain.money import price_text
from trading.domain.orders import Order
from trading.usecases.brackets import break_even, stop_of
from trading.usecases.core import Core
from trading.usecases.notices import add_notices
from trading.usecases.placing import lift, place_again, reject, rest_new_stop, settle_submitted, submit
from trading.usecases.pricing import free_of

log = logging.getLogger(__name__)

NOTHING_HELD = "Not sent: the coins it was to sell were no longer held when the market reached it."


async def sell_leg(core: Core, leg: Order) -> Order:
    """Send a triggered leg at market, for the coins there are.

    The trader's own sell orders resting at the venue on the same coins (a limit sell placed by hand, a stop
    order set in chat) hold them there, and the venue would refuse the leg's sale for want of free coins: those
    orders are cancelled first, then rested again, oldest first, for what the sale left; one with nothing left
    to sell stays cancelled, and its trader is told why. A leg for more than is held (part was sold by hand
    since it was armed) sells what is held; with nothing held it ends unsent."""
    gateway = await core.exchanges.gateway_of(leg.account_id)
    base, _ = parse_symbol(leg.symbol)
    free = free_of(await gateway.balances(), base)
    lifted = await _lift_hand_sells(core, leg) if free < leg.quantity else []
    try:
        if lifted:
            free = free_of(await gateway.balances(), base)
        if free < leg.quantity:
            leg = await _shrink(core, leg, (await gateway.market(leg.symbol)).round_amount(free))
            if leg.status is not OrderStatus.SUBMITTED:
                return leg
        return await submit(core, leg, as_market=True)
    finally:
        gone = await _rest_hand_orders_again(core, leg, [o for o in lifted if o.remaining > 0])
        await _tell_cancelled(core, leg, gone)


async def _lift_hand_sells(core: Core, leg: Order) -> list[Order]:
    """The trader's own sells resting at the venue on the leg's coins, cancelled there (as they then stand)."""
    async with core.uow(read_only=True) as uow:
        live = await uow.orders.for_account(leg.account_id, LIVE_STATUSES, leg.symbol)
    lifted: list[Order] = []
    for order in live:
        if order.role is not OrderRole.ENTRY or order.side is not leg.side:
            continue
        try:
            lifted.append(await lift(core, order))
        except ExchangeError as error:
            log.warning(
                "order %s not lifted for leg %s: %s", order.client_order_id, leg.client_order_id, error
            )
    return lifted


async def _shrink(core: Core, leg: Order, held: Decimal) -> Order:
    """A claimed leg for more coins than are held: for what is held, or ended where nothing is."""
    now = core.clock.now()
    if held > 0:
        shrunk = replace(leg, quantity=held, updated_at=now)
    else:
        shrunk = replace(leg, status=OrderStatus.CANCELLED, error=NOTHING_HELD, updated_at=now)
    async with core.uow() as uow:
        await uow.orders.update(shrunk)
        await uow.commit()
    return shrunk


async def _rest_hand_orders_again(core: Core, leg: Order, lifted: Sequence[Order]) -> list[Order]:
    """Each lifted order rested again, as it was, for what the venue now has free of its coins; the ones left
    with nothing to sell."""
    if not lifted:
        return []
    gateway = await core.exchanges.gateway_of(leg.account_id)
    free = free_of(await gateway.balances(), parse_symbol(leg.symbol)[0])
    market = await gateway.market(leg.symbol)
    gone: list[Order] = []
    for order in lifted:
        quantity = market.round_amount(min(order.remaining, free))
        if quantity <= 0:
            gone.append(order)
            continue
        free -= quantity
        try:
            await place_again(core, order, quantity, order.price)
        except TradingError as error:
            log.warning(
                "order %s not rested again after leg %s: %s",
                order.client_order_id,
                leg.client_order_id,
                error,
            )
    return gone


def _shown(price: Decimal | None) -> str:
    """A price as the trader reads prices elsewhere (4,000.00, not 4000); none is a market order's."""
    return "market" if price is None else price_text(price)


async def _tell_cancelled(core: Core, leg: Order, gone: Sequence[Order]) -> None:
    if not gone:
        return
    kind = "stop loss" if leg.role is OrderRole.STOP_LOSS else "take-profit"
    told = [
        (
            order.user_id,
            f"Your {order.side.value} order #{order.id} ({order.order_type.value} at {_shown(order.price)}) was "
            f"cancelled: your {kind} on {order.symbol} sold the coins it held.",
        )
        for order in gone
    ]
    async with core.uow() as uow:
        await add_notices(uow, told, core.clock.now())
        await uow.commit()


async def sell_target(core: Core, target: Order) -> Order | None:
    """Send a fired target at market; where the entry's stop rests at the venue (locking the coins), lift it
    first and rest a new one for what is left after the sale. The order booked: the target sold, or the stop,
    where the venue had filled it already (the position is gone: the target is cancelled, unsold, and the stop's
    fill is told like any). None when the stop could not be lifted (the target is armed again) or the sale
    failed (the stop rests again for all)."""
    assert target.parent_id is not None
    async with core.uow(read_only=True) as uow:
        legs = await uow.orders.children(target.parent_id)
    stop = stop_of(legs)
    if stop is None or not stop.status.is_live:
        return await sell_leg(core, target)
    try:
        lifted = await lift(core, stop)
    except ExchangeError as error:
        log.warning("target %s waits: its stop could not be lifted: %s", target.client_order_id, error)
        await settle_submitted(core, target.id, OrderStatus.ARMED)
        return None
    if lifted.filled > 0:
        await settle_submitted(core, target.id, OrderStatus.CANCELLED)
        return lifted
    sold = ZERO
    try:
        fired = await sell_leg(core, target)
        sold = fired.filled
    except TradingError as error:
        log.warning("target %s not sold: %s", target.client_order_id, error)
        fired = None
    await rest_new_stop(core, stop, stop.quantity - sold, await _stop_price(core, stop, sold, legs, target))
    return fired


async def _stop_price(
    core: Core, stop: Order, sold: Decimal, legs: Sequence[Order], target: Order
) -> Decimal | None:
    """Where the new stop goes: to the entry's price once a target sold, where its trader asked for that; none
    at all when the last target sold its whole share (it took the rest of the position, as in fire_leg)."""
    others = [
        leg
        for leg in legs
        if leg.role is OrderRole.TAKE_PROFIT and leg.id != target.id and leg.status is OrderStatus.ARMED
    ]
    if sold and sold >= target.quantity and not others:
        return None
    if not sold:
        return stop.price
    assert stop.parent_id is not None
    async with core.uow(read_only=True) as uow:
        moved = await break_even(uow, stop.parent_id)
    return moved or stop.price


async def sell_by_hand(core: Core, order: Order) -> Order:
    """Send a sell the trader placed by hand. Where stops of that position rest at the venue they lock its
    coins, so they are lifted first and rested again afterwards for what is left of the position. A stop that
    went off while being lifted already sold the position: the hand sell is then refused, unsent."""
    if not await (await core.exchanges.gateway_of(order.account_id)).holds_stops(order.symbol):
        return await submit(core, order)
    async with core.uow(read_only=True) as uow:
        resting = await uow.orders.resting_stops(order.account_id, order.symbol)
    if not resting:
        return await submit(core, order)
    lifted: list[Order] = []
    try:
        for stop in resting:
            lifted.append(await lift(core, stop))
    except ExchangeError as error:
        await _rest_again(core, lifted, ZERO)
        await reject(
            core, order, f"The stop loss resting at the exchange could not be lifted: {error.message}"
        )
        raise
    went_off = [stop for stop in lifted if stop.filled > 0]
    if went_off:
        price = _shown(went_off[0].average_price or went_off[0].price)
        await reject(core, order, f"Your stop loss went off at {price} first: the position was sold by it.")
        await _rest_again(core, [s for s in lifted if not s.filled], ZERO)
        raise InvalidOrder(f"Not sent: your stop loss went off at {price} first and sold the position.")
    sold = ZERO
    try:
        sent = await submit(core, order)
        sold = sent.filled
    finally:
        await _rest_again(core, lifted, sold)
    return sent


async def _rest_again(core: Core, lifted: Sequence[Order], sold: Decimal) -> None:
    """Rest the lifted stops again, each for what the sale left of what it guarded (the first ones shrink
    first); a stop with nothing left to guard stays cancelled."""
    for stop in lifted:
        left = max(stop.quantity - sold, ZERO)
        sold = max(sold - stop.quantity, ZERO)
        try:
            await rest_new_stop(core, stop, left, stop.price)
        except TradingError as error:  # place() already falls back to the core; this is the books failing
            log.error("stop %s not rested again after a hand sell: %s", stop.client_order_id, error)
