"""A futures position acted on as a whole, as the Mini App and the API do: Close, Reduce and Move stop, each a
draft previewed and then confirmed like any order (execution.confirm_draft). They are drafted by the chat's own
use cases: a close or a reduction is the reduce-only order that 'close my eth short' and 'reduce my btc long by
half' draft (drafting.draft_order); a stop is the move of the stop that guards the position (stop_moves), or,
where none does, a reduce-only stop order for all of it, as 'set my eth stop to 3000' is on spot."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from trading.domain.enums import AmountUnit, OrderType
from trading.domain.errors import InvalidInput
from trading.domain.futures import FuturesPosition
from trading.domain.intents import OrderIntent
from trading.domain.money import HUNDRED
from trading.domain.orders import OrderDraft
from trading.domain.perpetuals import perpetual_of
from trading.usecases.core import Core
from trading.usecases.drafting import draft_order
from trading.usecases.futures_context import base_of
from trading.usecases.futures_portfolio import FuturesPortfolio, futures_portfolio
from trading.usecases.pricing import pair_of
from trading.usecases.routing import derivatives, futures_account
from trading.usecases.stop_moves import draft_stop_move, stop_terms, stops_guarding


@dataclass(frozen=True, slots=True)
class HeldPositions:
    """A futures account valued, and by symbol the prices of the stops that guard each of its positions and
    its market's price increment."""

    portfolio: FuturesPortfolio
    stops: Mapping[str, tuple[Decimal, ...]]
    ticks: Mapping[str, Decimal]


async def held_positions(core: Core, user_id: int, account_id: int | None = None) -> HeldPositions:
    """The user's futures account (the one given, or the first) with its positions' stops; NoFuturesAccount
    where the user has none."""
    view = await futures_portfolio(core, user_id, account_id)
    async with core.uow(read_only=True) as uow:
        guarding = await stops_guarding(uow, view.account_id)
    stops = {
        p.symbol: tuple(sorted(s.price for s in guarding if s.symbol == p.symbol and s.price is not None))
        for p in view.positions
    }
    gateway = await derivatives(core, view.account_id)
    ticks = {p.symbol: (await gateway.market(p.symbol)).price_tick for p in view.positions}
    return HeldPositions(view, stops, ticks)


async def draft_reduction(
    core: Core, user_id: int, base: str, amount: Decimal, unit: AmountUnit, account_id: int | None = None
) -> OrderDraft:
    """The reduce-only order that takes `amount` off the user's position in `base` (a percentage of it, or a
    size in the coin; 100 percent closes it), on its side, whichever that is."""
    account, position = await _held(core, user_id, base, account_id)
    intent = OrderIntent(base, position.side.closing_side, amount, unit, position=position.side)
    return await draft_order(core, user_id, intent, account)


async def draft_close(core: Core, user_id: int, base: str, account_id: int | None = None) -> OrderDraft:
    return await draft_reduction(core, user_id, base, HUNDRED, AmountUnit.PERCENT, account_id)


async def draft_position_stop(
    core: Core, user_id: int, base: str, price: Decimal, account_id: int | None = None
) -> OrderDraft:
    """The stop guarding the user's position in `base` moved to `price`, or where none guards it, a reduce-only
    stop order at `price` for all of it; refused where the market is past it or the position would be
    liquidated first."""
    account, position = await _held(core, user_id, base, account_id)
    moving = await draft_stop_move(core, user_id, base, None, price, account)
    if moving is not None:
        return moving[0]
    gateway = await derivatives(core, account)
    stop = (await gateway.market(position.symbol)).round_price(price)
    closing = position.side.closing_side
    ticker = await gateway.ticker(position.symbol)
    await stop_terms(core, account, ticker, side=closing, price=stop, quantity=position.size)
    intent = OrderIntent(
        base, closing, HUNDRED, AmountUnit.PERCENT, OrderType.STOP, stop, position=position.side
    )
    return await draft_order(core, user_id, intent, account)


async def _held(core: Core, user_id: int, base: str, account_id: int | None) -> tuple[int, FuturesPosition]:
    """The futures account's id and its open position in `base`: InvalidInput, saying so, where it has none."""
    async with core.uow(read_only=True) as uow:
        account = await futures_account(uow, user_id, account_id)
    symbol = perpetual_of(pair_of(base, None, core.config.paper_quote))
    gateway = await derivatives(core, account.id)
    position = next(iter(await gateway.positions([symbol])), None)
    if position is None:
        raise InvalidInput(f"You have no open {base_of(symbol)} position on {account.label}.")
    return account.id, position
