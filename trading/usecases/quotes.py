"""A quote on the user's venue, and the user's open orders."""

from collections.abc import Sequence
from decimal import Decimal

from trading.domain.enums import OPEN_STATUSES
from trading.domain.market import Ticker
from trading.domain.orders import Order, OrderDraft
from trading.usecases.core import Core, account_of
from trading.usecases.pricing import pair_of


async def quote(core: Core, user_id: int, symbol: str, quote_asset: str | None = None) -> Ticker:
    async with core.uow(read_only=True) as uow:  # which venue to ask
        account = await account_of(uow, user_id, None)
    gateway = await core.exchanges.gateway(account)
    market = await gateway.market(pair_of(symbol, quote_asset, core.config.paper_quote))
    return await gateway.ticker(market.symbol)


async def price_tick(core: Core, draft: OrderDraft) -> Decimal:
    """The price increment of a draft's market on its account's venue: the precision its prices are shown to."""
    gateway = await core.exchanges.gateway_of(draft.account_id)
    return (await gateway.market(draft.symbol)).price_tick


async def tradable_assets(core: Core, user_id: int) -> tuple[str, Sequence[str]]:
    """The venue of the user's account and the coins it trades against the paper quote (or any quote)."""
    async with core.uow(read_only=True) as uow:
        account = await account_of(uow, user_id, None)
    markets = (await (await core.exchanges.gateway(account)).markets()).values()
    preferred = sorted({m.base for m in markets if m.quote == core.config.paper_quote})
    return account.exchange, preferred or sorted({m.base for m in markets})


async def open_orders(core: Core, user_id: int) -> Sequence[Order]:
    """Orders that can still fill or fire: submitted, resting, and bracket legs held by the core."""
    async with core.uow(read_only=True) as uow:
        return await uow.orders.for_user(user_id, OPEN_STATUSES, 50)


async def order_legs(core: Core, user_id: int, order_id: int) -> Sequence[Order]:
    """The stop and targets an entry placed or holds for its position (none where it has not filled yet)."""
    async with core.uow(read_only=True) as uow:
        return [leg for leg in await uow.orders.children(order_id) if leg.user_id == user_id]
