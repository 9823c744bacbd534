"""Rebalancing an account to the shares asked: previewed (the trades, their fees, what the minimums leave out),
then, on Confirm, planned again at the prices of that moment and placed through the normal order path, sales
first; each trade drafted under the risk limits and confirmed by compare-and-set, as a trader's own order."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from trading.domain.enums import AmountUnit
from trading.domain.errors import InvalidInput, TradingError, UnknownSymbol
from trading.domain.intents import OrderIntent
from trading.domain.market import Market
from trading.domain.orders import Order
from trading.domain.rebalance import RebalancePlan, Trade, plan_rebalance
from trading.usecases.core import Core, account_of
from trading.usecases.drafting import draft_order
from trading.usecases.execution import confirm_draft


@dataclass(frozen=True, slots=True)
class TradeOutcome:
    trade: Trade
    order: Order | None
    error: str | None = None


def check_shares(targets: Mapping[str, Decimal]) -> None:
    """Shares in percent, each above 0, adding up to exactly 100: anything else is said back, never scaled."""
    if not targets:
        raise InvalidInput("Give the shares to rebalance to, e.g. BTC 50, ETH 30, USDT 20.")
    if any(not share.is_finite() or share <= 0 for share in targets.values()):
        raise InvalidInput("Each share must be above 0%.")
    total = sum(targets.values(), Decimal(0))
    if total != 100:
        raise InvalidInput(f"The shares add up to {total.normalize():f}%, not 100%: nothing was done.")


async def preview_rebalance(
    core: Core, user_id: int, targets: Mapping[str, Decimal], account_id: int | None = None
) -> RebalancePlan:
    check_shares(targets)
    async with core.uow(read_only=True) as uow:
        account = await account_of(uow, user_id, account_id)
    gateway = await core.exchanges.gateway(account)
    quote = core.config.paper_quote
    holdings = {asset: b.total for asset, b in (await gateway.balances()).items() if b.total > 0}
    holdings.setdefault(quote, Decimal(0))
    markets: dict[str, Market] = {}
    prices: dict[str, Decimal] = {}
    for asset in (set(holdings) | set(targets)) - {quote}:
        try:
            markets[asset] = await gateway.market(f"{asset}/{quote}")
        except UnknownSymbol:
            if asset in targets:
                raise InvalidInput(f"{asset} cannot be traded against {quote} here.") from None
            continue  # held, unnamed and untradable: left as it is
        ticker = await gateway.ticker(markets[asset].symbol)
        prices[asset] = ticker.last
    tradable = {asset: qty for asset, qty in holdings.items() if asset == quote or asset in markets}
    return plan_rebalance(tradable, prices, markets, targets, quote)


async def rebalance(
    core: Core, user_id: int, targets: Mapping[str, Decimal], account_id: int | None = None
) -> list[TradeOutcome]:
    """Plan at today's prices and place each trade, sales first; a trade refused (a risk limit, funds, the
    venue) is told and the rest go on."""
    return await place_rebalance(core, user_id, await preview_rebalance(core, user_id, targets, account_id))


async def place_rebalance(
    core: Core, user_id: int, plan: RebalancePlan, account_id: int | None = None
) -> list[TradeOutcome]:
    """Place a plan made a moment ago, sales first, each through the normal order path."""
    outcomes = []
    for trade in plan.trades:
        base = trade.symbol.split("/", 1)[0]
        intent = OrderIntent(
            base, trade.side, trade.quantity, AmountUnit.BASE, quote=trade.symbol.split("/")[1]
        )
        try:
            draft = await draft_order(core, user_id, intent, account_id)
            outcomes.append(TradeOutcome(trade, await confirm_draft(core, user_id, draft.id)))
        except TradingError as refused:
            outcomes.append(TradeOutcome(trade, None, str(refused)))
    return outcomes
