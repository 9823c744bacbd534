"""Sending a confirmed futures order: the position's margin mode and leverage set at the venue first, then the
order, as every order is sent (placing.submit). The order was written before any of these calls."""

from trading.domain.errors import ExchangeError
from trading.domain.orders import Order, OrderDraft
from trading.usecases.core import Core
from trading.usecases.placing import reject, submit
from trading.usecases.routing import derivatives


async def place_futures(core: Core, order: Order, draft: OrderDraft) -> Order:
    """An opening sets the terms its draft was previewed on; a reduce-only order keeps the position's. A venue
    that refuses them (or does not answer) leaves the order refused, unsent, with the reason on it."""
    terms = draft.futures
    if terms is not None and not terms.reduce_only:
        gateway = await derivatives(core, order.account_id)
        try:
            await gateway.set_margin_mode(order.symbol, terms.margin_mode)
            await gateway.set_leverage(order.symbol, terms.leverage)
        except ExchangeError as error:
            reason = f"Not placed: the exchange did not set its leverage ({error.message})"
            await reject(core, order, reason)
            raise ExchangeError(reason) from error
    return await submit(core, order, draft=draft)
