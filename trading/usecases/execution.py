"""Confirming a draft into exactly one order and carrying it out; cancelling drafts and orders."""

from dataclasses import dataclass, replace
from datetime import datetime

from trading.domain.enums import LIVE_STATUSES, DraftStatus, OrderStatus, Side
from trading.domain.errors import DraftAlreadyUsed, DraftExpired, InvalidInput, NotFound
from trading.domain.orders import Order, OrderDraft
from trading.domain.perpetuals import is_perpetual
from trading.ports import UnitOfWork
from trading.usecases.core import Core, new_client_order_id
from trading.usecases.futures_placing import place_futures
from trading.usecases.notices import add_notices
from trading.usecases.placing import Tell, record_report, submit
from trading.usecases.stop_moves import move_stop
from trading.usecases.venue_stops import sell_by_hand


@dataclass(frozen=True, slots=True)
class Claimed:
    """A draft claimed for its one confirmation, and the order written for it (none for a stop's move, which
    changes the stop it replaces)."""

    draft: OrderDraft
    order: Order | None


async def confirm_draft(core: Core, user_id: int, draft_id: str) -> Order:
    """One tap, one order: the draft is claimed by compare-and-set and the order written before the exchange
    is called. A second confirmation, from any process, gets DraftAlreadyUsed."""
    async with core.uow() as uow:
        claimed = await claim_draft(uow, user_id, draft_id, core.clock.now())
        await uow.commit()
    return await carry_out(core, claimed)


async def claim_draft(uow: UnitOfWork, user_id: int, draft_id: str, now: datetime) -> Claimed:
    """Claim a draft (pending -> submitted, once across processes) and write its order, in the caller's unit of
    work, which must commit before carry_out calls the exchange. Why it cannot be claimed is raised."""
    claimed = await uow.orders.add_claimed(draft_id, user_id, now, new_client_order_id())
    if claimed is None:
        raise await _why_unclaimed(uow, draft_id, user_id)
    return Claimed(*claimed)


async def carry_out(core: Core, claimed: Claimed) -> Order:
    """Send a claimed draft's order to its exchange (a spot sell past the stops resting on its coins, a futures
    order with its leverage set), or move the stop it replaces; the order as it then stands."""
    if claimed.order is None:
        return await move_stop(core, claimed.draft)
    if is_perpetual(claimed.order.symbol):
        return await place_futures(core, claimed.order, claimed.draft)
    if claimed.order.side is Side.SELL:
        return await sell_by_hand(core, claimed.order)
    return await submit(core, claimed.order, draft=claimed.draft)


async def _why_unclaimed(uow: UnitOfWork, draft_id: str, user_id: int) -> Exception:
    draft = await uow.drafts.get(draft_id)
    if draft is None or draft.user_id != user_id:
        return NotFound("That order preview was not found.")
    if draft.status is DraftStatus.SUBMITTED:
        return DraftAlreadyUsed("This order was already confirmed; it is placed only once.")
    if draft.status is DraftStatus.CANCELLED:
        return DraftAlreadyUsed("This order preview was cancelled.")
    return DraftExpired("This order preview has expired; ask again for a fresh price.")


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


async def cancel_order(core: Core, user_id: int, order_id: int, tell: Tell | None = None) -> Order:
    """Cancel a resting order, or disarm a bracket leg held by the core. `tell`: what the user is told of it,
    written in the transaction that records the cancel (or the fill that came first), by the call that does."""
    async with core.uow() as uow:
        order = await uow.orders.get(order_id)
        if order is None or order.user_id != user_id:
            raise NotFound("That order was not found.")
        if order.status is OrderStatus.ARMED:
            now = core.clock.now()
            cancelled = replace(order, status=OrderStatus.CANCELLED, updated_at=now)
            await uow.orders.update(cancelled)
            text = tell(cancelled) if tell is not None else None
            if text is not None:
                await add_notices(uow, [(order.user_id, text)], now)
            await uow.commit()
            return cancelled
    if not order.status.is_live:
        raise InvalidInput(
            f"Order {order.id} is {order.status.value.replace('_', ' ')}; only open orders cancel."
        )
    gateway = await core.exchanges.gateway_of(order.account_id)
    report = await gateway.cancel_order(order.symbol, order.client_order_id)
    return await record_report(core, order.id, report, tell, leaving=LIVE_STATUSES)
