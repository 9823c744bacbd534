"""A preview asked again with one thing changed (the amount, or how the order is placed): the old preview is
cancelled first, so that only the new one can be confirmed."""

from dataclasses import replace
from decimal import Decimal

from trading.domain.enums import AmountUnit, OrderType
from trading.domain.errors import DraftAlreadyUsed, InvalidInput
from trading.domain.intents import OrderIntent
from trading.domain.orders import OrderDraft
from trading.usecases.core import Core
from trading.usecases.drafting import draft_order
from trading.usecases.execution import cancel_draft

GONE = "That preview is gone; ask for the order again."


async def redraft(
    core: Core,
    user_id: int,
    draft_id: str,
    amount: tuple[Decimal, AmountUnit] | None = None,
    order_type: OrderType | None = None,
) -> OrderDraft:
    """The draft `draft_id` drafted again with its new amount or order type. A preview already confirmed,
    cancelled or not the user's is refused, and nothing is drafted."""
    async with core.uow(read_only=True) as uow:
        old = await uow.drafts.get(draft_id)
    if old is None or old.user_id != user_id:
        raise InvalidInput(GONE)
    try:
        await cancel_draft(core, user_id, draft_id)
    except DraftAlreadyUsed as error:
        raise InvalidInput(error.message) from None
    intent = intent_of_draft(old)
    if amount is not None:
        intent = replace(intent, amount=amount[0], amount_unit=amount[1])
    if order_type is not None:
        price = None if order_type is OrderType.MARKET else intent.price
        intent = replace(intent, order_type=order_type, price=price)
    return await draft_order(core, user_id, intent, old.account_id)


def intent_of_draft(draft: OrderDraft) -> OrderIntent:
    """What the trader asked for, as the draft priced it: its quantity in the coin."""
    return OrderIntent(
        draft.symbol,
        draft.side,
        draft.quantity,
        AmountUnit.BASE,
        draft.order_type,
        draft.price,
        None,
        draft.stop_loss,
        draft.take_profits,
        draft.leverage,
        position=draft.futures.position_side if draft.futures is not None else None,
    )
