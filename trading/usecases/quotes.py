"""A quote on the user's venue, and the user's open orders."""

from collections.abc import Sequence

from trading.domain.enums import OPEN_STATUSES
from trading.domain.market import Ticker
from trading.domain.orders import Order
from trading.usecases.core import Core, account_of
from trading.usecases.pricing import pair_of


async def quote(core: Core, user_id: int, symbol: str, quote_asset: str | None = None) -> Ticker:
    async with core.uow(read_only=True) as uow:  # which venue to ask
        account = await account_of(uow, user_id, None)
    gateway = await core.exchanges.gateway(account)
    market = await gateway.market(pair_of(symbol, quote_asset, core.config.paper_quote))
    return await gateway.ticker(market.symbol)


async def open_orders(core: Core, user_id: int) -> Sequence[Order]:
    """Orders that can still fill or fire: submitted, resting, and bracket legs held by the core."""
    async with core.uow(read_only=True) as uow:
        return await uow.orders.for_user(user_id, OPEN_STATUSES, 50)
