"""The stops resting at a futures venue follow the position they guard.

A venue refuses, or drops when it triggers, a reduce-only stop for more than the position holds. So after a fill
that reduces the position (a target, a reduction by hand) each stop resting there for more than is left is placed
again for what is left; after a target, at the entry's price where its trader asked for that (as the core does
with the stops it holds, brackets.fire_leg). Targets are held by the core and sent reduce-only when reached.
"""

from dataclasses import dataclass
from decimal import Decimal

from trading.domain.enums import OrderRole
from trading.domain.orders import Order
from trading.ports import UnitOfWork
from trading.usecases.brackets import break_even


@dataclass(frozen=True, slots=True)
class StopRefit:
    """A stop resting at the venue, to be placed again for `quantity` at `price`."""

    stop: Order
    quantity: Decimal
    price: Decimal


async def refits_after(uow: UnitOfWork, reduction: Order, held: Decimal) -> list[StopRefit]:
    """The stops resting at the venue on the position `reduction` filled on, which now holds `held`, that must
    be placed again: for more than is held, or to be moved to the entry's price after a target of theirs."""
    refits = []
    for stop in await uow.orders.resting_stops(reduction.account_id, reduction.symbol):
        if stop.price is None:
            continue
        price = stop.price
        if reduction.role is OrderRole.TAKE_PROFIT and stop.parent_id == reduction.parent_id:
            assert stop.parent_id is not None
            price = await break_even(uow, stop.parent_id) or stop.price
        quantity = min(stop.quantity, held)
        if (quantity, price) != (stop.quantity, stop.price):
            refits.append(StopRefit(stop, quantity, price))
    return refits
