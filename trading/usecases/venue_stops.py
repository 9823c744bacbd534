"""Stop losses resting at the venue, where it holds stop orders (ExchangeGateway.holds_stops): the stop then
protects the position while the bot is down, and the venue fills it without the tracker.

The stop is first armed in the core, in the transaction that books the entry's fill, so a filled entry is never
without a stop; it is then claimed (armed -> submitted, once across processes) and sent under its own client
order id. A venue that refuses it leaves it armed in the core, the reason on it. Targets stay in the core: on a
spot venue a resting stop locks the coins, so a target lifts the stop, sells its share and rests a new stop for
what is left.
"""

import logging
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from trading.domain.enums import LIVE_STATUSES, OrderRole, OrderStatus, OrderType
from trading.domain.errors import ExchangeError, InvalidOrder, TradingError
from trading.domain.ledger import ZERO
from trading.domain.market import parse_symbol
from trading.domain.money import price_text
from trading.domain.orders import ExchangeOrder, Order, OrderRequest
from trading.ports import ExchangeGateway
from trading.usecases.brackets import break_even, new_leg, stop_of
from trading.usecases.core import Core, new_client_order_id
from trading.usecases.drafting import free_of
from trading.usecases.execution import place_new, record_report, reject, settle_submitted, submit
from trading.usecases.notices import add_notices

log = logging.getLogger(__name__)

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
        await place(core, stop)
        return
    sold = sum((leg.filled for leg in legs if leg.role is OrderRole.TAKE_PROFIT), ZERO)
    wanted = entry.filled - sold
    if stop.status.is_live and stop.quantity < wanted:
        await replace_stop(core, stop, wanted, stop.price)


async def place(core: Core, stop: Order) -> Order:
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
        stop.client_order_id, stop.symbol, stop.side, OrderType.STOP, stop.quantity, stop.price
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
    return await place(core, stop)


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
        now = core.clock.now()
        again = Order(
            id=0,
            user_id=order.user_id,
            account_id=order.account_id,
            client_order_id=new_client_order_id(),
            symbol=order.symbol,
            side=order.side,
            order_type=order.order_type,
            quantity=quantity,
            price=order.price,
            status=OrderStatus.SUBMITTED,
            created_at=now,
            updated_at=now,
        )
        try:
            await place_new(core, again)
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
