"""Telling an entry that rested at the venue when it fills: the trader saw it rest ("open"), so its fill,
hours later, is news ("Entry 2 of 3 filled: bought 0.1 ETH at 3,380"); so is a plan's trailing entry, bought
at market when the price turned. An entry that filled on its Confirm is told by the confirmation itself."""

from datetime import datetime

from trading.domain.enums import OrderRole, OrderStatus, Side
from trading.domain.market import parse_symbol
from trading.domain.money import price_text
from trading.domain.orders import Order, OrderDraft
from trading.domain.perpetuals import is_perpetual
from trading.ports import UnitOfWork
from trading.usecases.notices import add_notices

RESTING = frozenset({OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED})


async def tell_entry_filled(
    uow: UnitOfWork, before: Order, after: Order, draft: OrderDraft | None, now: datetime
) -> None:
    """Write the notice of a resting entry (or a plan's trailing entry) filled by this report, in the
    transaction that books it: a report booked twice is the same fill, told once."""
    if (
        before.role is not OrderRole.ENTRY
        or before.status is after.status
        or after.status is not OrderStatus.FILLED
    ):
        return
    if draft is None and before.draft_id is not None:
        draft = await uow.drafts.get(before.draft_id)
    trailing = draft is not None and draft.preview.trailing_entry_percent is not None
    if before.status not in RESTING and not trailing:
        return
    entries: list[Order] = []
    waiting = 0
    if draft is not None and draft.group_id is not None:
        plan = await uow.signals.plan_orders(draft.group_id)
        entries = [o for o in plan if o.role is OrderRole.ENTRY]
        waiting = len(await uow.stop_modes.of_group(draft.group_id))
    await add_notices(uow, [(after.user_id, entry_filled_text(after, entries, waiting))], now)


def entry_filled_text(entry: Order, plan_entries: list[Order], armed: int = 0) -> str:
    """`plan_entries`: the entries of the plan the entry belongs to, in their order (none: an order alone);
    `armed`: its trailing entries still waiting to buy, counted after them (they buy in the market's order)."""
    base, _ = parse_symbol(entry.symbol)
    price = price_text(entry.average_price) if entry.average_price is not None else "the market"
    if is_perpetual(entry.symbol):
        did = f"{'long' if entry.side is Side.BUY else 'short'} {entry.filled.normalize():f} {base}"
    else:
        did = f"{'bought' if entry.side is Side.BUY else 'sold'} {entry.filled.normalize():f} {base}"
    ids = [o.id for o in plan_entries]
    if len(ids) + armed > 1 and entry.id in ids:
        which = f"Entry {ids.index(entry.id) + 1} of {len(ids) + armed}"
    else:
        which = f"Order #{entry.id}"
    return f"📥 {which} filled ({entry.symbol}): {did} at {price}."
